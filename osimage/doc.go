// Package osimage parses the image references a user puts in a BYOOS ("Bring Your Own OS")
// cluster profile — the osImageOverride of Palette's generic-byoi pack and the provider
// image and registry of the edge-native-byoi pack — without contacting any cloud.
//
// There is one parser per kind of reference:
//
//   - [ParseAMI]: an AWS AMI ID (ami-0f4804aff4cf9c5a2).
//   - [ParseVHD]: the Azure blob URL of a VHD (https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd).
//   - [ParseTemplate]: a vSphere template path or name, or the http(s) URL of an OVA.
//   - [ParseOCI]: an OCI image reference for an Edge provider image.
//   - [ParseRegistryHost]: the registry of edge-native-byoi providerCredentials (host[:port][/project]).
//
// One classifier, [Classify], recognises the unmistakable forms of every cloud's image
// (an AMI ID or AWS ARN, an Azure VHD URL, gallery or managed image ID or marketplace URN,
// a vSphere /DC/vm/… path or OVA, an OCI reference with a registry host). Each parser uses
// it to refuse another cloud's image with [CodeImageWrongCloud], saying what the value is
// and what its own cloud needs: "ami-…" given to ParseTemplate is "an AWS AMI ID; a
// vsphere profile needs a template name …". Free-form names are never taken for another
// cloud's image.
//
// Each parser returns either the parsed value or a [*Problem]. A Problem carries a stable
// code (the Code* constants; scripts may match on them), a message that names the value
// found and what was expected, and a hint that says what to give instead. The parsers
// never panic, whatever the input, and refuse inputs longer than [MaxLength] bytes.
//
// A problem never repeats a credential the value carries: every part of the value that a
// message or hint quotes goes through secret.RedactURL, which masks a URL's userinfo and
// the values of its sig, signature, X-Amz-Signature, token… parameters (in any case and
// percent-encoding), and a problem about a value that carries credentials is built from
// the masked value.
//
// The parsers are pure functions of their input: they keep no state and are safe for
// concurrent use.
package osimage
