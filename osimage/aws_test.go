package osimage_test

import (
	"testing"

	"github.com/byoos/byoos/osimage"
)

func TestParseAMIAcceptsValidIDs(t *testing.T) {
	cases := []struct {
		name string
		in   string
	}{
		{"a current 17-digit AMI ID from the pack docs is accepted", "ami-0f4804aff4cf9c5a2"},
		{"an older 8-digit AMI ID is accepted", "ami-1a2b3c4d"},
		{"an AMI ID made only of digits is accepted", "ami-01234567890123456"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseAMI(c.in)
			if p != nil {
				t.Fatalf("ParseAMI(%q) = problem %v", c.in, p)
			}
			if got != (osimage.AMI{ID: c.in}) {
				t.Errorf("ParseAMI(%q) = %+v", c.in, got)
			}
		})
	}
}

func TestParseAMIRejects(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want wantProblem
	}{
		{"an empty value is reported as empty", "",
			wantProblem{code: osimage.CodeAWSAMIEmpty, hint: []string{"ami-0f4804aff4cf9c5a2"}}},
		{"a value of only white space is reported as empty", " \t\n",
			wantProblem{code: osimage.CodeAWSAMIEmpty}},

		{"an upper-case AMI ID is reported and the hint gives it in lower case", "AMI-0F4804AFF4CF9C5A2",
			wantProblem{code: osimage.CodeAWSAMIUppercase, hint: []string{`"ami-0f4804aff4cf9c5a2"`}}},
		{"an AMI ID with some upper-case hex digits is reported as upper-case", "ami-0F4804aff4cf9C5a2",
			wantProblem{code: osimage.CodeAWSAMIUppercase, hint: []string{`"ami-0f4804aff4cf9c5a2"`}}},
		{"an 8-digit AMI ID with an upper-case prefix is reported as upper-case", "Ami-1A2B3C4D",
			wantProblem{code: osimage.CodeAWSAMIUppercase, hint: []string{`"ami-1a2b3c4d"`}}},

		{"an EC2 image ARN is recognised and the hint gives just its AMI ID", "arn:aws:ec2:us-east-1:123456789012:image/ami-0f4804aff4cf9c5a2",
			wantProblem{code: osimage.CodeAWSAMIARN, hint: []string{`just the AMI ID: "ami-0f4804aff4cf9c5a2"`, `"us-east-1"`}}},
		{"an EC2 image ARN in the China partition is recognised", "arn:aws-cn:ec2:cn-north-1:123456789012:image/ami-1a2b3c4d",
			wantProblem{code: osimage.CodeAWSAMIARN, hint: []string{`"ami-1a2b3c4d"`}}},
		{"an EC2 image ARN in GovCloud is recognised and an upper-case ID in it is lower-cased", "arn:aws-us-gov:ec2:us-gov-west-1::image/AMI-0F4804AFF4CF9C5A2",
			wantProblem{code: osimage.CodeAWSAMIARN, hint: []string{`"ami-0f4804aff4cf9c5a2"`}}},
		{"an Image Builder image ARN is recognised and the hint says how to find its AMI", "arn:aws:imagebuilder:us-east-1:123456789012:image/my-rhel8/1.0.0/1",
			wantProblem{code: osimage.CodeAWSAMIARN, msg: []string{"Image Builder"}, hint: []string{"aws imagebuilder get-image", "outputResources.amis"}}},
		{"an ARN of something other than an image still says to use an AMI ID", "arn:aws:iam::123456789012:role/palette",
			wantProblem{code: osimage.CodeAWSAMIARN, hint: []string{"ami-"}}},

		{"an EBS snapshot ID is recognised and the hint says to register an AMI from it", "snap-0123456789abcdef0",
			wantProblem{code: osimage.CodeAWSSnapshotID, hint: []string{"aws ec2 register-image", "SnapshotId=snap-0123456789abcdef0"}}},
		{"an upper-case snapshot ID is still a snapshot ID", "SNAP-1A2B3C4D",
			wantProblem{code: osimage.CodeAWSSnapshotID, hint: []string{"SnapshotId=snap-1a2b3c4d"}}},

		{"an AMI ID one digit short says how many hex digits it has", "ami-0f4804aff4cf9c5a",
			wantProblem{code: osimage.CodeAWSAMIMalformed, msg: []string{"16 hex digits"}}},
		{"an AMI ID one digit long says how many hex digits it has", "ami-0f4804aff4cf9c5a21",
			wantProblem{code: osimage.CodeAWSAMIMalformed, msg: []string{"18 hex digits"}}},
		{"an AMI ID with a non-hex character names it", "ami-0f48z4aff4cf9c5a2",
			wantProblem{code: osimage.CodeAWSAMIMalformed, msg: []string{"16 hex digits", "'z'"}}},
		{"a bare ami- prefix is malformed", "ami-",
			wantProblem{code: osimage.CodeAWSAMIMalformed, msg: []string{"0 hex digits"}}},
		{"a name that starts with ami- is malformed and the hint also says how to look up a name", "ami-ubuntu-22.04-k8s",
			wantProblem{code: osimage.CodeAWSAMIMalformed, hint: []string{"describe-images", "Name=name,Values=ami-ubuntu-22.04-k8s"}}},
		{"hex digits without the ami- prefix are malformed and the hint adds the prefix", "0f4804aff4cf9c5a2",
			wantProblem{code: osimage.CodeAWSAMIMalformed, hint: []string{`"ami-0f4804aff4cf9c5a2"`}}},

		{"a CAPA AMI name is recognised and the hint says how to look up its ID", "capa-ami-ubuntu-24.04-v1.30.1-1716000000",
			wantProblem{code: osimage.CodeAWSAMIName, hint: []string{
				"aws ec2 describe-images", "--filters 'Name=name,Values=capa-ami-ubuntu-24.04-v1.30.1-1716000000'", "--query 'Images[].ImageId'", "region"}}},
		{"an AMI name is recognised and the hint says how to look up its ID", "my-rhel8-image",
			wantProblem{code: osimage.CodeAWSAMIName, hint: []string{"Name=name,Values=my-rhel8-image"}}},
		{"an AMI name with parentheses and brackets is still recognised as a name", "rhel-8.8(hardened)[v2]",
			wantProblem{code: osimage.CodeAWSAMIName, hint: []string{"'Name=name,Values=rhel-8.8(hardened)[v2]'"}}},
		{"an AMI name with a space is reported as invalid, since spaces are never accepted", "rhel 8.8 hardened",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"a space"}}},
		{"an image-builder style name is recognised as a name", "ubuntu-2204-kube-v1.29.4",
			wantProblem{code: osimage.CodeAWSAMIName}},

		{"an EC2 instance ID is invalid and the hint says how to image the instance", "i-0123456789abcdef0",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"instance ID"}, hint: []string{"aws ec2 create-image --instance-id i-0123456789abcdef0"}}},
		{"an EBS volume ID is invalid", "vol-0123456789abcdef0",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"volume ID"}}},
		{"a network interface ID is invalid", "eni-1a2b3c4d",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"network interface"}}},
		{"a VM import task ID is invalid and the hint says where to find the AMI it made", "import-ami-0123456789abcdef0",
			wantProblem{code: osimage.CodeAWSAMIInvalid, hint: []string{"describe-import-image-tasks"}}},
		{"a value with a space is invalid", "my rhel image",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"a space"}}},
		{"a value with a slash is invalid", "images/rhel8",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"'/'"}}},
		{"a URL is invalid", "https://s3.amazonaws.com/bucket/image.raw",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"URL"}}},
		{"an AMI ID with white space around it is invalid and the hint gives the trimmed ID", " ami-0f4804aff4cf9c5a2\n",
			wantProblem{code: osimage.CodeAWSAMIInvalid, hint: []string{`use "ami-0f4804aff4cf9c5a2"`}}},
		{"an SSM parameter is invalid and the hint says how to resolve it", "resolve:ssm:/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"SSM"}, hint: []string{"aws ssm get-parameter", "'/aws/service/canonical/"}}},
		{"an AWS account ID is invalid", "123456789012",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"account ID"}}},
		{"a two-letter value is too short to be a name and is invalid", "ab",
			wantProblem{code: osimage.CodeAWSAMIInvalid}},
		{"invalid UTF-8 is invalid and does not break the message", "ami\xff\xfe",
			wantProblem{code: osimage.CodeAWSAMIInvalid, msg: []string{"not valid UTF-8"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseAMI(c.in)
			if got != (osimage.AMI{}) {
				t.Errorf("a rejected value should give the zero AMI, got %+v", got)
			}
			checkProblem(t, c.in, p, c.want)
		})
	}
}
