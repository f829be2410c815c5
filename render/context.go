package render

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/suggest"
	"github.com/byoos/byoos/values"
)

// MaxContextBytes is the largest cluster context file accepted.
const MaxContextBytes = 64 << 10

// Context is the cluster context of a rendering: what the profile does not say
// (the cluster's name, its region, machine sizes, where in the cloud account
// things go). Its keys are the same in a context file (YAML), in the CLI's
// --param KEY=VALUE and in the API. A zero field takes the default Keys lists.
type Context struct {
	// Cluster is the Cluster API cluster the machine templates belong to.
	Cluster string `yaml:"cluster" json:"cluster,omitempty"`
	// Namespace is the Kubernetes namespace of the machine templates.
	Namespace string `yaml:"namespace" json:"namespace,omitempty"`
	// Region is the cloud region (AWS region, Azure location).
	Region string `yaml:"region" json:"region,omitempty"`
	// Name overrides the machine template's metadata.name.
	Name string `yaml:"name" json:"name,omitempty"`

	AWS     AWSContext     `yaml:"aws" json:"aws"`
	Azure   AzureContext   `yaml:"azure" json:"azure"`
	VSphere VSphereContext `yaml:"vsphere" json:"vsphere"`
	Edge    EdgeContext    `yaml:"edge" json:"edge"`
}

// AWSContext holds the AWSMachineTemplate's machine settings.
type AWSContext struct {
	InstanceType       string `yaml:"instanceType" json:"instanceType,omitempty"`
	RootVolumeSize     int64  `yaml:"rootVolumeSize" json:"rootVolumeSize,omitempty"`
	SSHKeyName         string `yaml:"sshKeyName" json:"sshKeyName,omitempty"`
	IAMInstanceProfile string `yaml:"iamInstanceProfile" json:"iamInstanceProfile,omitempty"`
}

// AzureContext holds where the managed image goes and the AzureMachineTemplate's
// machine settings.
type AzureContext struct {
	SubscriptionID     string `yaml:"subscriptionID" json:"subscriptionID,omitempty"`
	ResourceGroup      string `yaml:"resourceGroup" json:"resourceGroup,omitempty"`
	ImageName          string `yaml:"imageName" json:"imageName,omitempty"`
	HyperVGeneration   string `yaml:"hyperVGeneration" json:"hyperVGeneration,omitempty"`
	VMSize             string `yaml:"vmSize" json:"vmSize,omitempty"`
	OSDiskSizeGB       int32  `yaml:"osDiskSizeGB" json:"osDiskSizeGB,omitempty"`
	StorageAccountType string `yaml:"storageAccountType" json:"storageAccountType,omitempty"`
	SSHPublicKey       string `yaml:"sshPublicKey" json:"sshPublicKey,omitempty"`
}

// VSphereContext holds the VSphereMachineTemplate's placement and machine settings.
type VSphereContext struct {
	APIVersion        string `yaml:"apiVersion" json:"apiVersion,omitempty"`
	Server            string `yaml:"server" json:"server,omitempty"`
	Thumbprint        string `yaml:"thumbprint" json:"thumbprint,omitempty"`
	Datacenter        string `yaml:"datacenter" json:"datacenter,omitempty"`
	Folder            string `yaml:"folder" json:"folder,omitempty"`
	Datastore         string `yaml:"datastore" json:"datastore,omitempty"`
	ResourcePool      string `yaml:"resourcePool" json:"resourcePool,omitempty"`
	StoragePolicyName string `yaml:"storagePolicyName" json:"storagePolicyName,omitempty"`
	Network           string `yaml:"network" json:"network,omitempty"`
	NumCPUs           int32  `yaml:"numCPUs" json:"numCPUs,omitempty"`
	MemoryMiB         int64  `yaml:"memoryMiB" json:"memoryMiB,omitempty"`
	DiskGiB           int32  `yaml:"diskGiB" json:"diskGiB,omitempty"`
	CloneMode         string `yaml:"cloneMode" json:"cloneMode,omitempty"`
}

// EdgeContext holds settings of the Edge installer's user-data.
type EdgeContext struct {
	// RegistryInsecure sets stylus.registryCredentials.insecure.
	RegistryInsecure bool `yaml:"registryInsecure" json:"registryInsecure,omitempty"`
}

// Key describes one context key.
type Key struct {
	// Name is the dotted key: "aws.instanceType".
	Name string
	// Default is the value used when the key is not set, "" for none.
	Default string
	// Doc says what the key sets.
	Doc string
}

// keyDocs documents every key, in the order Keys lists them. The defaults are
// those of the providers' quick-start templates where they have one.
var keyDocs = []Key{
	{"cluster", "", "name of the Cluster API cluster (label cluster.x-k8s.io/cluster-name); required for --target capi"},
	{"namespace", "default", "namespace of the machine templates"},
	{"region", "", "cloud region: the Azure location of the managed image (required for azure); sets the cloud.region macro"},
	{"name", "CLUSTER-PROFILE-VERSION", "metadata.name of the machine template"},
	{"aws.instanceType", "t3.large", "EC2 instance type"},
	{"aws.rootVolumeSize", "80", "root volume size in GiB (CAPA's minimum is 8)"},
	{"aws.sshKeyName", "", "EC2 key pair name; unset leaves it to the AWSCluster"},
	{"aws.iamInstanceProfile", "nodes.cluster-api-provider-aws.sigs.k8s.io", "IAM instance profile (control planes use control-plane.cluster-api-provider-aws.sigs.k8s.io)"},
	{"azure.subscriptionID", "", "subscription of the managed image (required)"},
	{"azure.resourceGroup", "", "resource group of the managed image (required)"},
	{"azure.imageName", "the VHD's blob name without .vhd", "name of the managed image"},
	{"azure.hyperVGeneration", "V1", "Hyper-V generation of the image: V1 or V2"},
	{"azure.vmSize", "Standard_D2s_v3", "VM size"},
	{"azure.osDiskSizeGB", "128", "OS disk size in GB"},
	{"azure.storageAccountType", "Premium_LRS", "managed OS disk type (Premium_LRS, StandardSSD_LRS, Standard_LRS, ...)"},
	{"azure.sshPublicKey", "", "base64-encoded OpenSSH public key; unset lets CAPZ generate one"},
	{"vsphere.apiVersion", "v1beta1", "API version of the VSphereMachineTemplate: v1beta1 (every CAPV 1.x) or v1beta2 (CAPV 1.16 and later)"},
	{"vsphere.server", "", "vCenter address"},
	{"vsphere.thumbprint", "", "SHA-1 thumbprint of vCenter's certificate"},
	{"vsphere.datacenter", "the datacenter of the template's inventory path", "datacenter the VMs are created in"},
	{"vsphere.folder", "the folder of the template's inventory path", "VM folder the VMs are created in"},
	{"vsphere.datastore", "", "datastore of the VMs"},
	{"vsphere.resourcePool", "", "resource pool of the VMs"},
	{"vsphere.storagePolicyName", "", "storage policy of the VMs"},
	{"vsphere.network", "", "network (port group) of the VMs' NIC (required)"},
	{"vsphere.numCPUs", "2", "virtual CPUs"},
	{"vsphere.memoryMiB", "8192", "memory in MiB"},
	{"vsphere.diskGiB", "25", "disk size in GiB (ignored by linked clones)"},
	{"vsphere.cloneMode", "linkedClone", "linkedClone or fullClone"},
	{"edge.registryInsecure", "false", "stylus.registryCredentials.insecure: skip TLS verification of the registry"},
}

// Keys lists every context key with its default, in a stable order.
func Keys() []Key { return append([]Key(nil), keyDocs...) }

// Defaults of the context keys that have one.
const (
	DefaultNamespace          = "default"
	DefaultAWSInstanceType    = "t3.large"
	DefaultAWSRootVolumeSize  = 80
	DefaultAWSInstanceProfile = "nodes.cluster-api-provider-aws.sigs.k8s.io"
	DefaultAzureHyperVGen     = "V1"
	DefaultAzureVMSize        = "Standard_D2s_v3"
	DefaultAzureOSDiskSizeGB  = 128
	DefaultAzureStorageType   = "Premium_LRS"
	DefaultVSphereAPIVersion  = "v1beta1"
	DefaultVSphereNumCPUs     = 2
	DefaultVSphereMemoryMiB   = 8192
	DefaultVSphereDiskGiB     = 25
	DefaultVSphereCloneMode   = "linkedClone"
)

// withDefaults returns c with every unset key that has a default set to it.
func (c Context) withDefaults() Context {
	str := func(p *string, d string) {
		if *p == "" {
			*p = d
		}
	}
	str(&c.Namespace, DefaultNamespace)
	str(&c.AWS.InstanceType, DefaultAWSInstanceType)
	str(&c.AWS.IAMInstanceProfile, DefaultAWSInstanceProfile)
	if c.AWS.RootVolumeSize == 0 {
		c.AWS.RootVolumeSize = DefaultAWSRootVolumeSize
	}
	str(&c.Azure.HyperVGeneration, DefaultAzureHyperVGen)
	str(&c.Azure.VMSize, DefaultAzureVMSize)
	str(&c.Azure.StorageAccountType, DefaultAzureStorageType)
	if c.Azure.OSDiskSizeGB == 0 {
		c.Azure.OSDiskSizeGB = DefaultAzureOSDiskSizeGB
	}
	str(&c.VSphere.APIVersion, DefaultVSphereAPIVersion)
	str(&c.VSphere.CloneMode, DefaultVSphereCloneMode)
	if c.VSphere.NumCPUs == 0 {
		c.VSphere.NumCPUs = DefaultVSphereNumCPUs
	}
	if c.VSphere.MemoryMiB == 0 {
		c.VSphere.MemoryMiB = DefaultVSphereMemoryMiB
	}
	if c.VSphere.DiskGiB == 0 {
		c.VSphere.DiskGiB = DefaultVSphereDiskGiB
	}
	return c
}

// ContextError is a context file or value that cannot be read.
type ContextError struct {
	File         string
	Line, Column int
	// Key is the dotted key concerned, "" when the problem is not one key's.
	Key string
	Msg string
}

func (e *ContextError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Column > 0 {
				fmt.Fprintf(&b, ":%d", e.Column)
			}
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ParseContext reads a cluster context file: a YAML mapping of the keys Keys
// lists (nested as aws:, azure:, vsphere:, edge:, or dotted). Unknown keys,
// wrong types and several documents are errors naming the line.
func ParseContext(file string, src []byte) (Context, error) {
	var c Context
	if len(src) > MaxContextBytes {
		return c, &ContextError{File: file, Msg: fmt.Sprintf("the context file is %d bytes; the limit is %d", len(src), MaxContextBytes)}
	}
	doc, err := values.Parse(src)
	if err != nil {
		var pe *values.ParseError
		if errors.As(err, &pe) {
			return c, &ContextError{File: file, Line: pe.Line, Column: pe.Column, Msg: pe.Msg}
		}
		return c, &ContextError{File: file, Msg: err.Error()}
	}
	if doc.Root == nil {
		return c, nil
	}
	if err := setFrom(&c, file, "", doc.Root); err != nil {
		return Context{}, err
	}
	return c, nil
}

// setFrom sets the keys of a YAML mapping under prefix.
func setFrom(c *Context, file, prefix string, m *yaml.Node) error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], values.Deref(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return &ContextError{File: file, Line: k.Line, Column: k.Column, Msg: "a key must be text"}
		}
		key := k.Value
		if prefix != "" {
			key = prefix + "." + key
		}
		if v.Kind == yaml.MappingNode {
			if isGroup(key) {
				if err := setFrom(c, file, key, v); err != nil {
					return err
				}
				continue
			}
		}
		if _, ok := fieldOf(c, key); !ok {
			return &ContextError{File: file, Line: k.Line, Column: k.Column, Key: key, Msg: unknownKey(key)}
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return &ContextError{File: file, Line: v.Line, Column: v.Column, Key: key, Msg: fmt.Sprintf("%s is %s, expected a single value", key, values.Describe(v))}
		}
		if err := c.Set(key, v.Value); err != nil {
			var ce *ContextError
			if errors.As(err, &ce) {
				ce.File, ce.Line, ce.Column = file, v.Line, v.Column
			}
			return err
		}
	}
	return nil
}

func isGroup(key string) bool {
	switch key {
	case "aws", "azure", "vsphere", "edge":
		return true
	}
	return false
}

func unknownKey(key string) string {
	names := make([]string, len(keyDocs))
	for i, k := range keyDocs {
		names[i] = k.Name
	}
	msg := fmt.Sprintf("%q is not a context key", key)
	if s := suggest.Key(key, names); s != "" {
		return msg + fmt.Sprintf("; did you mean %s?", s)
	}
	return msg + "; the keys are " + strings.Join(names, ", ")
}

// fieldOf returns the field a dotted key names.
func fieldOf(c *Context, key string) (reflect.Value, bool) {
	v := reflect.ValueOf(c).Elem()
	for _, part := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		found := false
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag == part {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return reflect.Value{}, false
		}
	}
	if v.Kind() == reflect.Struct {
		return reflect.Value{}, false
	}
	return v, true
}

// Set sets a context key from its text, as --param KEY=VALUE gives it.
func (c *Context) Set(key, value string) error {
	f, ok := fieldOf(c, key)
	if !ok {
		return &ContextError{Key: key, Msg: unknownKey(key)}
	}
	bad := func(want string) error {
		return &ContextError{Key: key, Msg: fmt.Sprintf("%s is %q, expected %s", key, brief(value), want)}
	}
	switch f.Kind() {
	case reflect.String:
		if strings.ContainsAny(value, "\x00\r\n") {
			return bad("one line of text")
		}
		f.SetString(value)
	case reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(value, 10, f.Type().Bits())
		if err != nil || n <= 0 {
			return bad("a positive whole number")
		}
		f.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return bad("true or false")
		}
		f.SetBool(b)
	}
	return nil
}

// brief cuts a value to a length a message can repeat.
func brief(s string) string {
	const limit = 80
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return string(r[:limit]) + "…"
}

// dnsSubdomain matches a Kubernetes object name (an RFC 1123 subdomain), and
// dnsLabel a namespace (an RFC 1123 label).
var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// checkNamespace reports a namespace Kubernetes would refuse.
func checkNamespace(key, ns string) error {
	if len(ns) > 63 || !dnsLabel.MatchString(ns) {
		return &ContextError{Key: key, Msg: fmt.Sprintf("%s %q is not a Kubernetes namespace: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters", key, brief(ns))}
	}
	return nil
}

// checkObjectName reports a metadata.name Kubernetes would refuse.
func checkObjectName(key, name string) error {
	if len(name) > 253 || !dnsSubdomain.MatchString(name) {
		return &ContextError{Key: key, Msg: fmt.Sprintf("%s %q is not a Kubernetes name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters", key, brief(name))}
	}
	return nil
}

// KeysHelp returns the context keys with their defaults as help text.
func KeysHelp() string {
	var b strings.Builder
	for _, k := range keyDocs {
		d := k.Default
		if d == "" {
			d = "none"
		}
		fmt.Fprintf(&b, "  %-24s %s (default: %s)\n", k.Name, k.Doc, d)
	}
	return b.String()
}

// Params returns the keys c sets, as the text Set reads back (the form of
// --param KEY=VALUE and of the API's context); zero fields are left out.
func (c Context) Params() map[string]string {
	out := map[string]string{}
	for _, k := range keyDocs {
		f, ok := fieldOf(&c, k.Name)
		if !ok || f.IsZero() {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			out[k.Name] = f.String()
		case reflect.Int32, reflect.Int64:
			out[k.Name] = strconv.FormatInt(f.Int(), 10)
		case reflect.Bool:
			out[k.Name] = strconv.FormatBool(f.Bool())
		}
	}
	return out
}
