package wire

// PackSchema is one entry of a pack's schema.yaml as the API answers it.
type PackSchema struct {
	Name        string   `json:"name" yaml:"name"`
	Type        string   `json:"type" yaml:"type"`
	Format      string   `json:"format" yaml:"format"`
	Regex       string   `json:"regex,omitempty" yaml:"regex,omitempty"`
	ListOptions []string `json:"listOptions,omitempty" yaml:"listOptions,omitempty"`
	Hints       []string `json:"hints,omitempty" yaml:"hints,omitempty"`
	Required    bool     `json:"required" yaml:"required"`
	Readonly    bool     `json:"readonly" yaml:"readonly"`
}

// Preset is a named change to a pack's values (presets.yaml).
type Preset struct {
	Name        string   `yaml:"name" json:"name"`
	DisplayName string   `yaml:"displayName" json:"displayName"`
	Group       string   `yaml:"group" json:"group"`
	Remove      []string `yaml:"remove" json:"remove"`
	Add         string   `yaml:"add" json:"add"`
}

// PackDependencyMeta is a pack another pack depends on, as
// packValues[].dependencies lists it (V1PackDependencyMeta): the pack
// version that satisfies the constraint, when one is known.
type PackDependencyMeta struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	LogoURL     string `json:"logoUrl"`
	RegistryUID string `json:"registryUid"`
	UID         string `json:"uid"`
	Version     string `json:"version"`
}

// PackTemplate is a pack's template configuration (V1PackTemplate). byoos
// packs carry no template: it is answered empty, with empty parameter lists.
type PackTemplate struct {
	Manifest   string                 `json:"manifest"`
	Parameters PackTemplateParameters `json:"parameters"`
	Values     string                 `json:"values"`
}

// PackTemplateParameters holds a pack template's input and output
// parameters (V1PackTemplateParameters).
type PackTemplateParameters struct {
	InputParameters  []any `json:"inputParameters"`
	OutputParameters []any `json:"outputParameters"`
}

// EmptyPackTemplate returns the template of a pack that has none, with
// [] rather than null lists.
func EmptyPackTemplate() *PackTemplate {
	return &PackTemplate{Parameters: PackTemplateParameters{InputParameters: []any{}, OutputParameters: []any{}}}
}

// PackLogoURL is the path under which the server answers pack uid's logo.
func PackLogoURL(uid string) string { return "/v1/packs/" + uid + "/logo" }
