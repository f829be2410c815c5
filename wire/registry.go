package wire

// Remote registries: OCI registries (basic and ECR) and Helm chart
// repositories, in Palette's shapes. Secrets (password, token, secretKey)
// are sent by clients and answered as a mask, never in clear.

// TLSConfig is V1TLSConfiguration.
type TLSConfig struct {
	CA                 string `json:"ca,omitempty"`
	Certificate        string `json:"certificate,omitempty"`
	Enabled            bool   `json:"enabled"`
	InsecureSkipVerify bool   `json:"insecureSkipVerify"`
	// Key is a client certificate's private key, which byoos does not take.
	Key string `json:"key,omitempty"`
}

// RegistryAuth is V1RegistryAuth.
type RegistryAuth struct {
	Type     string     `json:"type,omitempty"`
	Username string     `json:"username,omitempty"`
	Password string     `json:"password,omitempty"`
	Token    string     `json:"token,omitempty"`
	TLS      *TLSConfig `json:"tls,omitempty"`
}

// RegistrySyncStatus is V1RegistrySyncStatus; times are RFC 3339, UTC.
type RegistrySyncStatus struct {
	IsSyncSupported bool   `json:"isSyncSupported"`
	LastRunTime     string `json:"lastRunTime,omitempty"`
	LastSyncedTime  string `json:"lastSyncedTime,omitempty"`
	Message         string `json:"message,omitempty"`
	Status          string `json:"status,omitempty"`
}

// OciRegistryStatus is V1OciRegistryStatus.
type OciRegistryStatus struct {
	SyncStatus *RegistrySyncStatus `json:"syncStatus"`
}

// BasicOciRegistrySpec is V1BasicOciRegistrySpec.
type BasicOciRegistrySpec struct {
	Auth                    *RegistryAuth `json:"auth"`
	BaseContentPath         string        `json:"baseContentPath,omitempty"`
	BasePath                string        `json:"basePath,omitempty"`
	ContainsSpectroManifest bool          `json:"containsSpectroManifest"`
	Endpoint                string        `json:"endpoint"`
	IsSyncSupported         bool          `json:"isSyncSupported,omitempty"`
	ProviderType            string        `json:"providerType,omitempty"`
	RegistryUID             string        `json:"registryUid,omitempty"`
	Scope                   string        `json:"scope,omitempty"`
}

// BasicOciRegistry is V1BasicOciRegistry.
type BasicOciRegistry struct {
	Kind     string               `json:"kind,omitempty"`
	Metadata ObjectMeta           `json:"metadata"`
	Spec     BasicOciRegistrySpec `json:"spec"`
	Status   OciRegistryStatus    `json:"status"`
}

// AwsSTS is V1AwsStsCredentials.
type AwsSTS struct {
	Arn        string `json:"arn,omitempty"`
	ExternalID string `json:"externalId,omitempty"`
}

// AwsCredentials is the part of V1AwsCloudAccount an ECR registry uses.
type AwsCredentials struct {
	AccessKey      string  `json:"accessKey,omitempty"`
	CredentialType string  `json:"credentialType,omitempty"`
	SecretKey      string  `json:"secretKey,omitempty"`
	STS            *AwsSTS `json:"sts,omitempty"`
}

// EcrRegistrySpec is V1EcrRegistrySpec.
type EcrRegistrySpec struct {
	BaseContentPath         string          `json:"baseContentPath,omitempty"`
	ContainsSpectroManifest bool            `json:"containsSpectroManifest"`
	Credentials             *AwsCredentials `json:"credentials,omitempty"`
	DefaultRegion           string          `json:"defaultRegion,omitempty"`
	Endpoint                string          `json:"endpoint"`
	IsPrivate               bool            `json:"isPrivate"`
	IsSyncSupported         bool            `json:"isSyncSupported,omitempty"`
	ProviderType            string          `json:"providerType,omitempty"`
	RegistryUID             string          `json:"registryUid,omitempty"`
	Scope                   string          `json:"scope,omitempty"`
	TLS                     *TLSConfig      `json:"tls,omitempty"`
}

// EcrRegistry is V1EcrRegistry.
type EcrRegistry struct {
	Kind     string            `json:"kind,omitempty"`
	Metadata ObjectMeta        `json:"metadata"`
	Spec     EcrRegistrySpec   `json:"spec"`
	Status   OciRegistryStatus `json:"status"`
}

// OciRegistrySpec is V1OciRegistrySpec, a summary's; RegistryType is
// "basic" or "ecr", ProviderType what the registry holds (pack, helm, zarf).
type OciRegistrySpec struct {
	ContainsSpectroManifest bool   `json:"containsSpectroManifest"`
	DefaultRegion           string `json:"defaultRegion,omitempty"`
	Endpoint                string `json:"endpoint,omitempty"`
	IsPrivate               bool   `json:"isPrivate,omitempty"`
	ProviderType            string `json:"providerType,omitempty"`
	RegistryType            string `json:"registryType,omitempty"`
	Scope                   string `json:"scope,omitempty"`
}

// OciRegistry is V1OciRegistry, an item of V1OciRegistries.
type OciRegistry struct {
	Metadata ObjectMeta      `json:"metadata"`
	Spec     OciRegistrySpec `json:"spec"`
	Status   struct {
		Sync *RegistrySyncStatus `json:"sync,omitempty"`
	} `json:"status"`
}

// OciRegistryEntity is V1OciRegistryEntity (GET /v1/registries/oci/{uid}).
type OciRegistryEntity struct {
	Auth          *RegistryAuth `json:"auth,omitempty"`
	DefaultRegion string        `json:"defaultRegion,omitempty"`
	Endpoint      string        `json:"endpoint,omitempty"`
	ProviderType  string        `json:"providerType,omitempty"`
	Scope         string        `json:"scope,omitempty"`
	Type          string        `json:"type,omitempty"`
}

// HelmRegistrySpec is V1HelmRegistrySpec (and, decoded, the
// V1HelmRegistrySpecEntity a create sends).
type HelmRegistrySpec struct {
	Auth        *RegistryAuth `json:"auth"`
	Endpoint    string        `json:"endpoint"`
	IsPrivate   bool          `json:"isPrivate"`
	Name        string        `json:"name,omitempty"`
	RegistryUID string        `json:"registryUid,omitempty"`
	Scope       string        `json:"scope,omitempty"`
}

// HelmRegistry is V1HelmRegistry (and V1HelmRegistryEntity).
type HelmRegistry struct {
	Kind     string           `json:"kind,omitempty"`
	Metadata ObjectMeta       `json:"metadata"`
	Spec     HelmRegistrySpec `json:"spec"`
	Status   struct {
		HelmSyncStatus *RegistrySyncStatus `json:"helmSyncStatus"`
	} `json:"status"`
}
