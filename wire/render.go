package wire

import (
	"encoding/json"

	"github.com/byoos/byoos/finding"
)

// RenderRequest is the body of POST /v1/clusterprofiles/{uid}/render: the
// target and the cluster context, whose keys are those of byoos render's
// --param KEY=VALUE and context file ("cluster", "region",
// "aws.instanceType", "azure.subscriptionID", "vsphere.network", ...).
type RenderRequest struct {
	// Target is values, capi or edge-user-data.
	Target string `json:"target"`
	// Context holds the cluster context, key by key, as text.
	Context map[string]string `json:"context,omitempty"`
	// ShowSecrets asks for secret values in clear (Edge user-data a host
	// can use). Only an admin API key may ask it; the answer is masked
	// otherwise.
	ShowSecrets bool `json:"showSecrets,omitempty"`
	// Draft renders the draft of a published profile instead of its
	// published version (a profile never published renders its draft).
	Draft bool `json:"draft,omitempty"`
}

// RenderedDocument is one document of a rendering.
type RenderedDocument struct {
	// Name says what the document is: "AWSMachineTemplate/prod-rhel8-aws-1.0.0".
	Name string `json:"name"`
	// Kind and APIVersion are a Kubernetes object's (and "ClusterProfile"
	// for the values target); empty for the ARM template and cloud-config.
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	// Format is kubernetes, arm, cloud-config or profile.
	Format string `json:"format"`
	// YAML is the document's text: YAML for Kubernetes objects and the
	// profile, JSON for the ARM template, #cloud-config for Edge user-data.
	YAML string `json:"yaml"`
	// Object is the document as JSON, for every format but cloud-config.
	Object json.RawMessage `json:"object,omitempty"`
}

// Rendering is the answer of render.
type Rendering struct {
	// Rendered says which body of the stored profile was rendered:
	// "published", or "draft".
	Rendered string `json:"rendered"`
	// Target is the target rendered to.
	Target string `json:"target"`
	// Documents are the rendered documents, in a stable order.
	Documents []RenderedDocument `json:"documents"`
	// Stream is what byoos render prints on standard output (-o yaml): the
	// documents other than the ARM template as one YAML stream, the
	// cloud-config as is, the profile as YAML.
	Stream string `json:"stream"`
	// ARMTemplate is the ARM template (JSON) of an Azure profile's managed
	// image, what byoos render writes to --arm-out; empty otherwise.
	ARMTemplate string `json:"armTemplate,omitempty"`
	// SecretsShown is true when secret values are in clear in the answer.
	SecretsShown bool `json:"secretsShown,omitempty"`
	// Findings are the validation's warnings and notes.
	Findings finding.List `json:"findings"`
}
