package pack

// PaletteKeys returns the value paths Palette itself reads in the values of
// any pack, whatever the pack defines, written as in schema.yaml (a path
// ending in ".*" is an open map): the namespace, the images and charts of
// pack.content, the install priority and display name, and the maps of
// release names, namespace labels and annotations, and additional
// namespaces. They are known keys of every pack (see [schema.Keys]).
func PaletteKeys() []string {
	return []string{
		"pack.namespace",
		"pack.content.images.$[].image",
		"pack.content.charts.$[].name",
		"pack.content.charts.$[].version",
		"pack.content.charts.$[].repo",
		"pack.spectrocloud.com/install-priority",
		"pack.spectrocloud.com/display-name",
		"pack.releaseNameOverride.*",
		"pack.namespaceLabels.*",
		"pack.namespaceAnnotations.*",
		"pack.additionalNamespaces.*",
	}
}
