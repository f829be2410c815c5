# The product page's Terraform code plus two BYOOS cluster profiles, against a
# byoos server. Tested with terraform 1.11 and terraform-provider-spectrocloud
# 0.29.2 (see the README's Terraform section).

terraform {
  required_providers {
    spectrocloud = {
      source = "spectrocloud/spectrocloud"
    }
  }
}

variable "api_key" {
  type      = string
  sensitive = true
}

variable "ami" {
  type    = string
  default = "ami-0f4804aff4cf9c5a2"
}

provider "spectrocloud" {
  host                      = "127.0.0.1:8443" # host:port, no scheme
  api_key                   = var.api_key      # byoos-data/admin-api-key
  project_name              = "Default"
  ignore_insecure_tls_error = true # or leave it out and set SSL_CERT_FILE=byoos-data/tls/cert.pem
}

data "spectrocloud_registry" "public_registry" {
  name = "Public Repo"
}

data "spectrocloud_pack_simple" "byoos" {
  name         = "generic-byoi"
  version      = "1.0.0"
  type         = "helm"
  registry_uid = data.spectrocloud_registry.public_registry.id
}

data "spectrocloud_pack_simple" "byoos_edge" {
  name         = "edge-native-byoi"
  version      = "1.0.0"
  type         = "helm"
  registry_uid = data.spectrocloud_registry.public_registry.id
}

data "spectrocloud_pack_simple" "k8s" {
  name         = "kubernetes"
  version      = "1.30.10"
  type         = "helm"
  registry_uid = data.spectrocloud_registry.public_registry.id
}

data "spectrocloud_pack_simple" "edge_k3s" {
  name         = "edge-k3s"
  version      = "1.30.6"
  type         = "helm"
  registry_uid = data.spectrocloud_registry.public_registry.id
}

# AWS: a custom AMI. Packs given by name, tag and registry: byoos resolves the pack.
resource "spectrocloud_cluster_profile" "aws" {
  name        = "tf-byoos-aws"
  description = "BYOOS RHEL 8 on AWS"
  tags        = ["env:dev", "os:rhel"]
  cloud       = "aws"
  type        = "infra"
  version     = "1.0.0"

  pack {
    name         = "generic-byoi"
    tag          = "1.0.0"
    type         = "spectro"
    registry_uid = data.spectrocloud_registry.public_registry.id
    values       = <<-EOT
      pack:
        osImageOverride: "${var.ami}"
        osName: "rhel"
        osVersion: "8"
    EOT
  }

  pack {
    name         = "kubernetes"
    tag          = "1.30.10"
    type         = "spectro"
    registry_uid = data.spectrocloud_registry.public_registry.id
    values       = data.spectrocloud_pack_simple.k8s.values
  }
}

# Edge: a CanvOS provider image. The OS pack given by its uid from the data source.
resource "spectrocloud_cluster_profile" "edge" {
  name        = "tf-byoos-edge"
  description = "BYOOS Edge with K3s"
  cloud       = "edge-native"
  type        = "infra"
  version     = "1.0.0"

  pack {
    name         = "edge-native-byoi"
    tag          = "1.0.0"
    uid          = data.spectrocloud_pack_simple.byoos_edge.id
    type         = "spectro"
    registry_uid = data.spectrocloud_registry.public_registry.id
    values       = <<-EOT
      pack:
        content:
          images:
            - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'
      options:
        system.uri: "example.io/my-images/example-custom-os:v1.4.5"
    EOT
  }

  pack {
    name         = "edge-k3s"
    tag          = "1.30.6"
    type         = "spectro"
    registry_uid = data.spectrocloud_registry.public_registry.id
    values       = data.spectrocloud_pack_simple.edge_k3s.values
  }
}

output "generic_byoi_id" {
  value = data.spectrocloud_pack_simple.byoos.id
}

output "edge_native_byoi_id" {
  value = data.spectrocloud_pack_simple.byoos_edge.id
}
