package byoi

// ReadKeys returns the value paths the rules of a pack read, written as in
// schema.yaml ($[] for every list item); nil for a pack without rules. The
// unknown-key check of a profile takes them as keys of the pack even when
// its values.yaml leaves them out. Keys the rules report as misplaced or
// misspelled (pack.options, content at the root, providerCredentials.user)
// are not among them: the rules' own errors cover those.
func ReadKeys(packName string) []string {
	switch packName {
	case Generic:
		return []string{"pack.osImageOverride", "pack.osName", "pack.osVersion"}
	case Edge:
		keys := []string{"options.system.uri", "pack.content.images.$[].image"}
		for _, f := range credentialFields {
			keys = append(keys, "providerCredentials."+f)
		}
		return keys
	}
	return nil
}
