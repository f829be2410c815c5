package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Environment variables the byoos command line reads.
const (
	EnvServer  = "BYOOS_SERVER"
	EnvAPIKey  = "BYOOS_API_KEY"
	EnvProject = "BYOOS_PROJECT"
	EnvCACert  = "BYOOS_CA_CERT"
)

// maxConfigBytes bounds a config file.
const maxConfigBytes = 1 << 20

// fileConfig is the config file: YAML with these keys.
type fileConfig struct {
	Server  string `yaml:"server"`
	APIKey  string `yaml:"apiKey"`
	Project string `yaml:"project"`
	CACert  string `yaml:"caCert"`
}

// DefaultConfigFile returns $XDG_CONFIG_HOME/byoos/config.yaml, or
// ~/.config/byoos/config.yaml when XDG_CONFIG_HOME is not set.
func DefaultConfigFile() (string, error) {
	if dir := os.Getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "byoos", "config.yaml"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("config file: %w", err)
	}
	return filepath.Join(home, ".config", "byoos", "config.yaml"), nil
}

// LoadConfigFile reads a config file: YAML with the keys server, apiKey,
// project and caCert. A relative caCert is relative to the file's directory.
// A missing file is an error that wraps fs.ErrNotExist.
func LoadConfigFile(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return Config{}, fmt.Errorf("config file %s: %w", path, err)
	}
	if len(src) > maxConfigBytes {
		return Config{}, fmt.Errorf("config file %s is over %d bytes", path, maxConfigBytes)
	}
	var fc fileConfig
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		// yaml's messages name lines and keys, never values.
		return Config{}, fmt.Errorf("config file %s: %s (the keys are server, apiKey, project and caCert)", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	ca := expandHome(strings.TrimSpace(fc.CACert))
	if ca != "" && !filepath.IsAbs(ca) {
		ca = filepath.Join(filepath.Dir(path), ca)
	}
	return Config{Server: strings.TrimSpace(fc.Server), APIKey: strings.TrimSpace(fc.APIKey), Project: strings.TrimSpace(fc.Project), CACertFile: ca}, nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// ConfigFromEnv reads BYOOS_SERVER, BYOOS_API_KEY, BYOOS_PROJECT and
// BYOOS_CA_CERT with getenv (os.Getenv when nil).
func ConfigFromEnv(getenv func(string) string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	return Config{Server: strings.TrimSpace(getenv(EnvServer)), APIKey: strings.TrimSpace(getenv(EnvAPIKey)),
		Project: strings.TrimSpace(getenv(EnvProject)), CACertFile: strings.TrimSpace(getenv(EnvCACert))}
}

// Merge returns the configuration that takes each field from the first
// config that sets it, e.g. Merge(flags, env, file).
// InsecureSkipVerify is set when any sets it.
func Merge(cfgs ...Config) Config {
	var out Config
	for _, c := range cfgs {
		if out.Server == "" {
			out.Server = c.Server
		}
		if out.APIKey == "" {
			out.APIKey = c.APIKey
		}
		if out.Project == "" {
			out.Project = c.Project
		}
		if out.CACertFile == "" {
			out.CACertFile = c.CACertFile
		}
		if out.Timeout == 0 {
			out.Timeout = c.Timeout
		}
		if out.Trace == nil {
			out.Trace = c.Trace
		}
		out.InsecureSkipVerify = out.InsecureSkipVerify || c.InsecureSkipVerify
	}
	return out
}
