package render

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	capa "sigs.k8s.io/cluster-api-provider-aws/v2/api/v1beta2"

	"github.com/byoos/byoos/osimage"
)

// CAPA's minimum root volume size, in GiB.
const awsMinRootVolume = 8

// renderAWS builds the AWSMachineTemplate with Cluster API Provider AWS's own
// types (infrastructure.cluster.x-k8s.io/v1beta2), so that every field name
// is the one CAPA decodes. The AMI is set by ID, so CAPA does no image lookup.
func renderAWS(m meta, im image, c Context) ([]Document, error) {
	ami, p := osimage.ParseAMI(im.Ref)
	if p != nil {
		return nil, &ProfileError{Path: im.path("pack.osImageOverride"), Msg: p.Message, Hint: p.Hint}
	}
	if c.AWS.RootVolumeSize < awsMinRootVolume {
		return nil, &UsageError{Key: "aws.rootVolumeSize", Msg: fmt.Sprintf("aws.rootVolumeSize is %d GiB; CAPA needs at least %d", c.AWS.RootVolumeSize, awsMinRootVolume)}
	}
	spec := capa.AWSMachineSpec{
		AMI:                capa.AMIReference{ID: &ami.ID},
		InstanceType:       c.AWS.InstanceType,
		IAMInstanceProfile: c.AWS.IAMInstanceProfile,
		RootVolume:         &capa.Volume{Size: c.AWS.RootVolumeSize},
	}
	if c.AWS.SSHKeyName != "" {
		k := c.AWS.SSHKeyName
		spec.SSHKeyName = &k
	}
	obj := &capa.AWSMachineTemplate{
		TypeMeta:   metav1.TypeMeta{APIVersion: capa.GroupVersion.String(), Kind: "AWSMachineTemplate"},
		ObjectMeta: metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: m.Annotations},
		Spec:       capa.AWSMachineTemplateSpec{Template: capa.AWSMachineTemplateResource{Spec: spec}},
	}
	return []Document{{Name: "AWSMachineTemplate/" + m.Name, Format: FormatKubernetes, Object: obj}}, nil
}
