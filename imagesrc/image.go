package imagesrc

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/byoos/byoos/osimage"
)

// Image is one OS image a build produced, in the form the generic-byoi pack
// takes in pack.osImageOverride, with the OS it holds.
type Image struct {
	// Cloud is the cloud type the image is for: aws, azure or vsphere.
	Cloud string
	// Region is the AWS region of an AMI; empty for other clouds.
	Region string
	// ID is the value for pack.osImageOverride: an AMI ID, a VHD blob URL,
	// a template path or name. For an unusable image (see Unusable) it is the
	// artifact as Packer recorded it.
	ID string
	// OSName and OSVersion are the distribution and its version, for
	// pack.osName and pack.osVersion; empty when nothing says.
	OSName, OSVersion string
	// OSNameFrom and OSVersionFrom say where OSName and OSVersion come from:
	// `custom_data.os_name`, `the name "ubuntu-2404"`.
	OSNameFrom, OSVersionFrom string
	// Kubernetes is the Kubernetes version the image was built for (v1.30.1),
	// from custom_data or the name; empty when nothing says.
	Kubernetes     string
	KubernetesFrom string
	// Source says where the image was found: `builds[2] ("ubuntu-2404", amazon-ebs)`
	// or `the name "capa-ami-…"`.
	Source string
	// Build is the manifest entry, nil for an image given by name.
	Build *Build
	// Unusable is set when the artifact is an image generic-byoi 1.0.x does
	// not take (an Azure managed image or Compute Gallery image version): its
	// code, its message and, in its hint, the steps that export a usable one.
	Unusable *osimage.Problem
}

// Skipped is a build of the last run that made no image generic-byoi takes.
type Skipped struct {
	// Build is the manifest entry.
	Build Build
	// Reason says why, for example "the docker builder makes container images".
	Reason string
}

// Import is what a manifest's last run yields.
type Import struct {
	// Images are the images, one per AMI region, in the order of the builds
	// (AMIs of a build in the order of their regions).
	Images []Image
	// Skipped are the builds of the last run that made no image generic-byoi takes.
	Skipped []Skipped
	// OlderBuilds is how many builds of earlier runs the manifest holds (and
	// the import leaves out).
	OlderBuilds int
}

// FromManifest reads a Packer manifest and returns the images of its last
// run (the builds whose packer_run_uuid is last_run_uuid):
//
//   - amazon-* builders: artifact_id is REGION:AMI pairs joined by commas,
//     one image per region;
//   - azure-* builders: a VHD blob URL is an image as it is; a managed image
//     or Compute Gallery image version ID is an image with Unusable set;
//   - vsphere-iso and vsphere-clone: artifact_id is the template (VM) name,
//     put in its folder when custom_data names one (folder, vsphere_folder)
//     and in its datacenter's vm folder when custom_data names that too
//     (datacenter, vsphere_datacenter);
//   - other builders are Skipped.
//
// The OS comes from custom_data (osName, os_name, distro_name, distribution;
// osVersion, os_version, distro_version, distribution_version) and the
// Kubernetes version from kubernetes_semver or kubernetes_version; what
// custom_data leaves out is read from the build's names when they follow
// Kubernetes image-builder's naming (see ParseName). Every malformed
// artifact_id is an error naming its JSON path; the error is Errors.
func FromManifest(src []byte) (*Import, error) {
	m, err := ParseManifest(src)
	if err != nil {
		return nil, err
	}
	return m.Import()
}

// Import returns the images of the manifest's last run (see FromManifest).
func (m *Manifest) Import() (*Import, error) {
	out := &Import{}
	var errs Errors
	last := m.LastRun()
	out.OlderBuilds = len(m.Builds) - len(last)
	more := 0
	for i := range last {
		b := &last[i]
		imgs, skip, err := b.images()
		for _, e := range err {
			if len(errs) < MaxErrors {
				errs = append(errs, e)
			} else {
				more++
			}
		}
		if skip != "" {
			out.Skipped = append(out.Skipped, Skipped{Build: *b, Reason: skip})
		}
		out.Images = append(out.Images, imgs...)
	}
	locate(errs)
	if more > 0 {
		errs = append(errs, &Error{Message: fmt.Sprintf("and %d more problem(s)", more)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// regionRe is the form of an AWS region name: us-east-1, us-gov-west-1, cn-north-1.
var regionRe = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)

// images returns the images of one build, or why it has none.
func (b *Build) images() ([]Image, string, Errors) {
	bt := b.BuilderType
	switch {
	case strings.HasPrefix(bt, "amazon-"):
		return b.amazonImages()
	case strings.HasPrefix(bt, "azure-"):
		img, err := b.azureImage()
		if err != nil {
			return nil, "", Errors{err}
		}
		return []Image{img}, "", nil
	case bt == "vsphere-iso" || bt == "vsphere-clone":
		img, err := b.vsphereImage()
		if err != nil {
			return nil, "", Errors{err}
		}
		return []Image{img}, "", nil
	}
	return nil, fmt.Sprintf("the %s builder makes no image generic-byoi takes (it takes AMIs from amazon-* builders, VHDs from azure-arm and templates from vsphere-iso and vsphere-clone)", quote(bt)), nil
}

// source describes a build for Image.Source.
func (b *Build) source() string {
	if b.Name == "" {
		return fmt.Sprintf("%s (%s)", b.Path(), b.BuilderType)
	}
	return fmt.Sprintf("%s (%s, %s)", b.Path(), quote(b.Name), b.BuilderType)
}

func (b *Build) amazonImages() ([]Image, string, Errors) {
	var errs Errors
	var imgs []Image
	seen := map[string]string{}
	errorAt := func(format string, args ...any) *Error { return b.errorAt("artifact_id", format, args...) }
	for part := range strings.SplitSeq(b.ArtifactID, ",") {
		if len(errs) > MaxErrors {
			break // Import reports no more
		}
		region, ami, ok := strings.Cut(part, ":")
		if !ok {
			errs = append(errs, errorAt("%s is not REGION:AMI; an amazon builder's artifact_id is REGION:AMI pairs joined by commas, us-east-1:ami-0123456789abcdef0,us-west-2:ami-0fedcba9876543210", quote(part)))
			continue
		}
		if !regionRe.MatchString(region) {
			errs = append(errs, errorAt("%s in %s is not an AWS region name such as us-east-1", quote(region), quote(part)))
			continue
		}
		if _, p := osimage.ParseAMI(ami); p != nil {
			errs = append(errs, errorAt("%s in %s is not an AMI ID: %s", quote(ami), quote(part), p.Message))
			continue
		}
		if prev, dup := seen[region]; dup && prev != ami {
			errs = append(errs, errorAt("names two AMIs in %s, %s and %s; expected one per region", region, prev, ami))
			continue
		} else if dup {
			continue
		}
		seen[region] = ami
		img := b.newImage(osimage.CloudTypeAWS, ami)
		img.Region = region
		imgs = append(imgs, img)
	}
	if len(errs) > 0 {
		return nil, "", errs
	}
	return imgs, "", nil
}

func (b *Build) azureImage() (Image, *Error) {
	id := b.ArtifactID
	img := b.newImage(osimage.CloudTypeAzure, id)
	if _, p := osimage.ParseVHD(id, osimage.AzureOptions{}); p != nil {
		switch p.Code {
		case osimage.CodeAzureManagedImage, osimage.CodeAzureGalleryImage:
			img.Unusable = p
			return img, nil
		}
		return Image{}, b.errorAt("artifact_id", "%s (%s)", p.Message, p.Code)
	}
	return img, nil
}

func (b *Build) vsphereImage() (Image, *Error) {
	name := b.ArtifactID
	path := name
	folder := strings.Trim(b.custom("folder", "vsphere_folder"), "/")
	dc := strings.Trim(b.custom("datacenter", "vsphere_datacenter"), "/")
	switch {
	case dc != "" && folder != "":
		path = "/" + dc + "/vm/" + folder + "/" + name
	case dc != "":
		path = "/" + dc + "/vm/" + name
	case folder != "":
		path = folder + "/" + name
	}
	if _, p := osimage.ParseTemplate(path); p != nil {
		return Image{}, b.errorAt("artifact_id", "%s (%s)", p.Message, p.Code)
	}
	return b.newImage(osimage.CloudTypeVSphere, path), nil
}

// custom returns the first of keys custom_data has with a value.
func (b *Build) custom(keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(b.CustomData[k]); v != "" {
			return v
		}
	}
	return ""
}

// newImage makes the image of the build with its OS and Kubernetes version:
// from custom_data first, then from the names image-builder gives.
func (b *Build) newImage(cloud, id string) Image {
	img := Image{Cloud: cloud, ID: id, Source: b.source(), Build: b}
	for _, k := range []string{"osName", "os_name", "distro_name", "distribution"} {
		// image-builder's OVA manifests have a display name in os_name
		// ("Ubuntu 24.04"); a name with spaces is not a distribution name.
		if v := strings.TrimSpace(b.CustomData[k]); v != "" && !strings.ContainsAny(v, " \t") {
			img.OSName, img.OSNameFrom = v, "custom_data."+k
			break
		}
	}
	for _, k := range []string{"osVersion", "os_version", "distro_version", "distribution_version"} {
		if v := strings.TrimSpace(b.CustomData[k]); v != "" {
			img.OSVersion, img.OSVersionFrom = v, "custom_data."+k
			break
		}
	}
	for _, k := range []string{"kubernetes_semver", "kubernetes_version"} {
		if v := strings.TrimSpace(b.CustomData[k]); v != "" {
			img.Kubernetes, img.KubernetesFrom = v, "custom_data."+k
			break
		}
	}
	// Names, most telling first: the template's name, then the build names.
	var names []string
	if cloud == osimage.CloudTypeVSphere {
		names = append(names, b.ArtifactID)
	}
	names = append(names, b.CustomData["build_version"], b.CustomData["build_name"], b.Name)
	for _, s := range names {
		n, ok := ParseName(s)
		if !ok {
			continue
		}
		from := "the name " + quote(s)
		if img.OSName == "" && n.OSName != "" {
			img.OSName, img.OSNameFrom = n.OSName, from
		}
		if img.OSVersion == "" && n.OSVersion != "" && n.OSName == img.OSName {
			img.OSVersion, img.OSVersionFrom = n.OSVersion, from
		}
		if img.Kubernetes == "" && n.Kubernetes != "" {
			img.Kubernetes, img.KubernetesFrom = n.Kubernetes, from
		}
	}
	return img
}

// FromName returns the image a bare name and ID stand for: name is an image
// name in image-builder's naming (see ParseName) that gives the OS and the
// Kubernetes version, id the image as cloud names it (an AMI ID, a VHD URL, a
// template path), and region the AMI's region (ignored on other clouds).
// For vSphere an empty id is the name itself, the template's
// name (an OVA's name less .ova is not assumed to be its template's). The
// id is checked with the cloud's parser of package osimage.
func FromName(cloud, region, name, id string) (Image, error) {
	img := Image{Cloud: cloud, ID: id, Source: "the name " + quote(name)}
	if cloud == osimage.CloudTypeAWS {
		img.Region = region // an AMI's; the other clouds' images name none
	}
	if n, ok := ParseName(name); ok {
		from := "the name " + quote(name)
		img.OSName, img.OSNameFrom = n.OSName, from
		if n.OSVersion != "" {
			img.OSVersion, img.OSVersionFrom = n.OSVersion, from
		}
		if n.Kubernetes != "" {
			img.Kubernetes, img.KubernetesFrom = n.Kubernetes, from
		}
	}
	var p *osimage.Problem
	switch cloud {
	case osimage.CloudTypeAWS:
		if id == "" {
			return Image{}, fmt.Errorf("an AMI is named by its ID, not its name %s: give the ID (ami-…) of the AMI in the cluster's region", quote(name))
		}
		_, p = osimage.ParseAMI(id)
	case osimage.CloudTypeAzure:
		if id == "" {
			return Image{}, fmt.Errorf("give the blob URL of the VHD built as %s", quote(name))
		}
		if _, p = osimage.ParseVHD(id, osimage.AzureOptions{}); p != nil && (p.Code == osimage.CodeAzureManagedImage || p.Code == osimage.CodeAzureGalleryImage) {
			img.Unusable, p = p, nil
		}
	case osimage.CloudTypeVSphere:
		if id == "" {
			if strings.HasSuffix(strings.ToLower(name), ".ova") {
				return Image{}, fmt.Errorf("%s is an OVA file: give the path of the template it was deployed as in vCenter, for example /Datacenter/vm/templates/%s", quote(name), strings.TrimSuffix(name, ".ova"))
			}
			img.ID = name
		}
		_, p = osimage.ParseTemplate(img.ID)
	default:
		return Image{}, fmt.Errorf("cloud %s: generic-byoi images are for aws, azure or vsphere", quote(cloud))
	}
	if p != nil {
		return Image{}, p
	}
	return img, nil
}

// Regions returns the distinct regions of images, sorted.
func Regions(imgs []Image) []string {
	var out []string
	seen := map[string]bool{}
	for _, img := range imgs {
		if img.Region != "" && !seen[img.Region] {
			seen[img.Region] = true
			out = append(out, img.Region)
		}
	}
	sort.Strings(out)
	return out
}
