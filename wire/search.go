package wire

// ProfileSearch is the body of POST /v1/dashboard/clusterprofiles, Palette's
// V1ClusterProfilesFilterSpec: what to select and in which order. The page
// (limit, continue, offset) is in the query string.
type ProfileSearch struct {
	Filter ProfileFilter     `json:"filter"`
	Sort   []ProfileSortSpec `json:"sort"`
}

// ProfileFilter selects profiles (V1ClusterProfileFilterSpec). Empty fields
// select everything; lists select any of their values.
type ProfileFilter struct {
	ProfileName *FilterString `json:"profileName"`
	// Environment lists cloud types (aws, azure, vsphere, edge-native, ...).
	Environment []string `json:"environment"`
	ProfileType []string `json:"profileType"`
	// Status lists StatusDraft and StatusPublished (a byoos extension).
	Status []string `json:"status"`
}

// FilterString matches a string (V1FilterString). byoos supports eq and
// contains; contains ignores case.
type FilterString struct {
	Eq         string `json:"eq,omitempty"`
	Ne         string `json:"ne,omitempty"`
	Contains   string `json:"contains,omitempty"`
	BeginsWith string `json:"beginsWith,omitempty"`
	IgnoreCase bool   `json:"ignoreCase,omitempty"`
}

// ProfileSortSpec is one sort key (V1ClusterProfileSortSpec): field is
// profileName, environment, profileType, creationTimestamp or
// lastModifiedTimestamp; order is asc (the default) or desc.
type ProfileSortSpec struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// ProfileSearchResult is the answer of POST /v1/dashboard/clusterprofiles
// (V1ClusterProfilesSummary).
type ProfileSearchResult struct {
	Items    []ProfileSearchItem `json:"items"`
	Listmeta ListMeta            `json:"listmeta"`
}

// ListMeta says where a page is (V1ListMetaData): Continue, when not
// empty, is the token of the next page; Count is the number of items in
// this page.
type ListMeta struct {
	Continue string `json:"continue"`
	Count    int    `json:"count"`
	Limit    int    `json:"limit"`
	Offset   int    `json:"offset"`
}

// ProfileSearchItem is one profile version of a search (V1ClusterProfileSummary).
type ProfileSearchItem struct {
	Metadata    ObjectMeta         `json:"metadata"`
	SpecSummary ProfileSpecSummary `json:"specSummary"`
	Status      ProfileStatusBrief `json:"status"`
}

// ProfileSpecSummary is a profile's version and template kind.
type ProfileSpecSummary struct {
	Version string           `json:"version"`
	Draft   *TemplateSummary `json:"draft"`
	// Published is nil for a profile never published.
	Published *TemplateSummary `json:"published"`
}

// TemplateSummary is a template's name, type and cloud type.
type TemplateSummary struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	CloudType string `json:"cloudType"`
}

// ProfileStatusBrief is a listed profile's state: published or not, and the
// number of warnings its last write got.
type ProfileStatusBrief struct {
	IsPublished bool   `json:"isPublished"`
	Status      string `json:"status"`
	Warnings    int    `json:"warnings"`
}
