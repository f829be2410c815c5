package wire

// PackSearch is the body of POST /v1/packs/search, Palette's
// V1PacksFilterSpec: what to select and in which order. The page (limit,
// continue, offset) is in the query string.
type PackSearch struct {
	Filter PackFilter     `json:"filter"`
	Sort   []PackSortSpec `json:"sort"`
}

// PackFilter selects packs (V1PackFilterSpec). Empty fields select
// everything; lists select any of their values, and an empty string in a
// list is a value (addOnType [""] selects packs with no add-on type).
type PackFilter struct {
	Name        *FilterString `json:"name"`
	DisplayName *FilterString `json:"displayName"`
	// Type lists pack types: spectro, helm, manifest, oci.
	Type []string `json:"type"`
	// Layer lists layers: kernel, os, k8s, cni, csi, addon.
	Layer []string `json:"layer"`
	// Environment lists cloud types; a pack for "all" matches any.
	Environment  []string `json:"environment"`
	AddOnType    []string `json:"addOnType"`
	AddOnSubType []string `json:"addOnSubType"`
	RegistryUID  []string `json:"registryUid"`
	// Source lists where packs come from (spectrocloud, community).
	Source []string `json:"source"`
	// State lists pack states (deprecated, disabled).
	State  []string `json:"state"`
	IsFips bool     `json:"isFips"`
}

// PackSortSpec is one sort key (V1PackSortSpec): field is name, type,
// layer, addOnType or displayName (V1PackSortFields); order is asc (the
// default) or desc.
type PackSortSpec struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// PackSearchResult is the answer of POST /v1/packs/search
// (V1PackMetadataList).
type PackSearchResult struct {
	Items    []PackMetadata `json:"items"`
	Listmeta ListMeta       `json:"listmeta"`
}

// PackMetadata is one pack of a search (V1PackMetadata): a pack name of one
// type, with its newest version in each registry that holds it.
type PackMetadata struct {
	Metadata ObjectMeta       `json:"metadata"`
	Spec     PackMetadataSpec `json:"spec"`
}

// PackMetadataSpec describes a pack of a search (V1PackMetadataSpec).
type PackMetadataSpec struct {
	Name        string             `json:"name"`
	DisplayName string             `json:"displayName"`
	Layer       string             `json:"layer"`
	Type        string             `json:"type"`
	CloudTypes  []string           `json:"cloudTypes"`
	AddonType   string             `json:"addonType,omitempty"`
	Registries  []RegistryPackMeta `json:"registries"`
}

// RegistryPackMeta is a pack's newest version in one registry
// (V1RegistryPackMetadata).
type RegistryPackMeta struct {
	UID           string `json:"uid"`
	Name          string `json:"name"`
	Scope         string `json:"scope"`
	LatestVersion string `json:"latestVersion"`
	LatestPackUID string `json:"latestPackUid"`
}
