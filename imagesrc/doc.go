// Package imagesrc reads what image build tools write about the images they
// made, and turns it into the values of the generic-byoi pack:
//
//   - [ParseManifest] and [FromManifest] read a Packer manifest
//     (packer-manifest.json, written by Packer's manifest post-processor) and
//     return the images of its last run: one per region of an amazon-*
//     build's REGION:AMI,REGION:AMI artifact, the VHD blob URL of an
//     azure-arm build (a managed image or Compute Gallery image version is
//     returned marked unusable, with the steps that export a VHD), the
//     template of a vsphere-iso or vsphere-clone build;
//   - [ParseName] reads the names Kubernetes image-builder gives its images
//     (capa-ami-<os>-<k8s>-<timestamp>, <os>-kube-<k8s>[.ova], build names
//     such as ubuntu-2404) for the OS and Kubernetes version they hold, and
//     [FromName] makes an image of a name and an ID given by hand;
//   - [Image.Values] writes an image as generic-byoi values, and
//     [Image.SetValues] puts it into an existing layer's values.
//
// A malformed manifest is reported as [Errors], each with the JSON path of
// the value concerned (builds[2].artifact_id), its line and column, and what
// was expected. Image IDs are checked with the parsers of package osimage,
// whose problem codes and wording the errors reuse. The functions keep no
// state and are safe for concurrent use.
package imagesrc
