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
