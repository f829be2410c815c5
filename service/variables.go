package service

import (
	"fmt"

	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/wire"
)

// Sensitive profile variables (isSensitive: true) are secrets: their default
// values are sealed in the store like secret pack values, masked in every
// answer, and kept when a client sends the mask back. In memory a
// storedBody's variables are always as stored (sealed); openVariables gives
// the clear values to the code that validates them.

// variableAAD binds a sealed default value to its profile and variable.
func variableAAD(profileUID, name string) string { return profileUID + "/var/" + name }

// sealVariables returns vars with the default value of every sensitive
// variable sealed.
func (s *Profiles) sealVariables(profileUID string, vars []wire.Variable) ([]wire.Variable, error) {
	if vars == nil {
		return nil, nil
	}
	out := make([]wire.Variable, len(vars))
	for i, v := range vars {
		if v.IsSensitive && v.DefaultValue != "" && !secret.IsSealed(v.DefaultValue) {
			sealed, err := s.sealer.Seal(v.DefaultValue, variableAAD(profileUID, v.Name))
			if err != nil {
				return nil, fmt.Errorf("seal variable %s: %w", v.Name, err)
			}
			v.DefaultValue = sealed
		}
		out[i] = v
	}
	return out, nil
}

// openVariables returns stored variables with their sealed default values
// in clear (values stored before sealing existed are clear already).
func (s *Profiles) openVariables(profileUID string, vars []wire.Variable) ([]wire.Variable, error) {
	if vars == nil {
		return nil, nil
	}
	out := make([]wire.Variable, len(vars))
	for i, v := range vars {
		if secret.IsSealed(v.DefaultValue) {
			plain, err := s.sealer.Open(v.DefaultValue, variableAAD(profileUID, v.Name))
			if err != nil {
				return nil, fmt.Errorf("open sensitive variable %s of profile %s: %w", v.Name, profileUID, err)
			}
			v.DefaultValue = plain
		}
		out[i] = v
	}
	return out, nil
}

// maskVariables returns vars for an answer: every sensitive default value
// (sealed or clear) is the mask.
func maskVariables(vars []wire.Variable) []wire.Variable {
	out := make([]wire.Variable, len(vars))
	for i, v := range vars {
		if (v.IsSensitive || secret.IsSealed(v.DefaultValue)) && v.DefaultValue != "" {
			v.DefaultValue = secret.Mask
		}
		out[i] = v
	}
	return out
}

// unmaskVariables returns the variables a client sent with the mask, where
// it stands for a sensitive default value, replaced by the stored value in
// clear. A mask with no stored value behind it stays, and validation
// refuses it.
func (s *Profiles) unmaskVariables(profileUID string, in, stored []wire.Variable) ([]wire.Variable, error) {
	old, err := s.openVariables(profileUID, stored)
	if err != nil {
		return nil, err
	}
	if in == nil {
		return old, nil
	}
	out := append([]wire.Variable(nil), in...)
	for i, v := range out {
		if !v.IsSensitive || v.DefaultValue != secret.Mask {
			continue
		}
		for _, o := range old {
			if o.Name == v.Name && o.IsSensitive {
				out[i].DefaultValue = o.DefaultValue
			}
		}
	}
	return out, nil
}
