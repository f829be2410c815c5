package api

import (
	"fmt"

	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/secret"
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
func (s *Server) sealVariables(profileUID string, vars []profile.Variable) ([]profile.Variable, error) {
	if vars == nil {
		return nil, nil
	}
	out := make([]profile.Variable, len(vars))
	for i, v := range vars {
		if v.IsSensitive && v.DefaultValue != "" && !secret.IsSealed(v.DefaultValue) {
			sealed, err := s.cfg.Sealer.Seal(v.DefaultValue, variableAAD(profileUID, v.Name))
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
func (s *Server) openVariables(profileUID string, vars []profile.Variable) ([]profile.Variable, *Error) {
	if vars == nil {
		return nil, nil
	}
	out := make([]profile.Variable, len(vars))
	for i, v := range vars {
		if secret.IsSealed(v.DefaultValue) {
			clear, err := s.cfg.Sealer.Open(v.DefaultValue, variableAAD(profileUID, v.Name))
			if err != nil {
				return nil, internalError(err, "stored secrets cannot be read")
			}
			v.DefaultValue = clear
		}
		out[i] = v
	}
	return out, nil
}

// maskVariables returns vars for an answer: every sensitive default value
// (sealed or clear) is the mask.
func maskVariables(vars []profile.Variable) []profile.Variable {
	out := make([]profile.Variable, len(vars))
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
func (s *Server) unmaskVariables(profileUID string, in, stored []profile.Variable) ([]profile.Variable, *Error) {
	old, e := s.openVariables(profileUID, stored)
	if e != nil {
		return nil, e
	}
	if in == nil {
		return old, nil
	}
	out := append([]profile.Variable(nil), in...)
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

// nonNilVariables returns vars, or an empty list for nil, so that JSON
// answers hold [] rather than null.
func nonNilVariables(vars []profile.Variable) []profile.Variable {
	if vars == nil {
		return []profile.Variable{}
	}
	return vars
}
