package osimage

import (
	"fmt"
	"strings"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/secret"
)

// AMI is a parsed AWS AMI ID.
type AMI struct {
	// ID is the AMI ID exactly as given, e.g. "ami-0f4804aff4cf9c5a2".
	ID string
}

// exampleAMI is the AMI ID quoted in hints.
const exampleAMI = "ami-0f4804aff4cf9c5a2"

// amiShape describes a valid AMI ID, for messages.
const amiShape = `"ami-" followed by exactly 17 (or, for older AMIs, 8) lowercase hex digits`

// ParseAMI parses the AMI ID of an AWS BYOOS profile. The only valid form is "ami-"
// followed by exactly 8 or exactly 17 lowercase hex digits, e.g. "ami-0f4804aff4cf9c5a2".
// Anything else yields a Problem whose code says what the value looks like instead:
// CodeAWSAMIEmpty, CodeAWSAMIUppercase, CodeAWSAMIARN, CodeAWSSnapshotID,
// CodeAWSAMIMalformed, CodeAWSAMIName or CodeAWSAMIInvalid.
func ParseAMI(s string) (AMI, *Problem) {
	v, p := parseAMI(s)
	if p != nil {
		return AMI{}, redactProblem(s, p, func(r string) *Problem { _, q := parseAMI(r); return q })
	}
	return v, nil
}

// parseAMI is ParseAMI without the redaction of its problems.
func parseAMI(s string) (AMI, *Problem) {
	if len(s) > MaxLength {
		return AMI{}, tooLong(finding.CodeAWSAMIMalformed, "an AMI ID", s)
	}
	if isAMIID(s) {
		return AMI{ID: s}, nil
	}
	return AMI{}, amiProblem(s)
}

// isAMIID reports whether s is exactly a valid AMI ID.
func isAMIID(s string) bool {
	return (len(s) == 12 || len(s) == 21) && s[:4] == "ami-" && isLowerHex(s[4:])
}

// isAMIIDFold reports whether s is an AMI ID when case is ignored.
func isAMIIDFold(s string) bool {
	return (len(s) == 12 || len(s) == 21) && strings.EqualFold(s[:4], "ami-") && isHexFold(s[4:])
}

// amiProblem explains why s (known not to be a valid AMI ID) is rejected.
func amiProblem(s string) *Problem {
	t := strings.TrimSpace(s)
	if t == "" {
		return newProblem(finding.CodeAWSAMIEmpty,
			fmt.Sprintf("no AMI ID was given (found %s); an AWS BYOOS image is an AMI ID, %s.", quote(s), amiShape),
			fmt.Sprintf("Set the image to the ID of an AMI that is available in the cluster's region, for example %q.", exampleAMI))
	}
	if t != s {
		hint := "Remove the white space around the value and give just the AMI ID, for example " + fmt.Sprintf("%q.", exampleAMI)
		if isAMIID(t) {
			hint = fmt.Sprintf("Remove the white space around the value: use %s.", quote(t))
		}
		return newProblem(finding.CodeAWSAMIInvalid,
			fmt.Sprintf("the AMI ID %s has white space before or after it; expected %s and nothing else.", quote(s), amiShape),
			hint)
	}
	if p := wrongCloud(s, CloudTypeAWS); p != nil {
		return p
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "arn:"):
		return amiARNProblem(s)
	case strings.HasPrefix(lower, "snap-"):
		return snapshotProblem(s)
	case strings.HasPrefix(lower, "ami-"):
		return amiPrefixProblem(s)
	}
	if p := otherResourceProblem(s, lower); p != nil {
		return p
	}
	if (len(s) == 8 || len(s) == 17) && isHexFold(s) {
		return newProblem(finding.CodeAWSAMIMalformed,
			fmt.Sprintf("%s has the hex digits of an AMI ID but not its \"ami-\" prefix; expected %s.", quote(s), amiShape),
			fmt.Sprintf("Add the prefix: use %s.", quote("ami-"+lower)))
	}
	if strings.HasPrefix(lower, "resolve:ssm:") || strings.HasPrefix(lower, "/aws/service/") || strings.HasPrefix(lower, "ssm:") {
		param := s
		if i := strings.Index(s, "/"); i >= 0 {
			param = s[i:]
		}
		return newProblem(finding.CodeAWSAMIInvalid,
			fmt.Sprintf("%s is an SSM parameter reference, not an AMI ID; the image must be %s.", quote(s), amiShape),
			fmt.Sprintf("Resolve the parameter in the cluster's region with `aws ssm get-parameter --region <cluster-region> --name %s --query Parameter.Value --output text` and use the ami- ID it prints.",
				shellWord(param, "<parameter-name>")))
	}
	if len(s) == 12 && isAllDigits(s) {
		return newProblem(finding.CodeAWSAMIInvalid,
			fmt.Sprintf("%s looks like an AWS account ID, not an AMI ID; expected %s.", quote(s), amiShape),
			"List the account's AMIs in the cluster's region with `aws ec2 describe-images --owners "+s+" --query 'Images[].[ImageId,Name]' --output text` and use the ami- ID of the image you built.")
	}
	if isAMIName(s) {
		return newProblem(finding.CodeAWSAMIName,
			fmt.Sprintf("%s looks like an AMI name, not an AMI ID; the image must be %s.", quote(s), amiShape),
			fmt.Sprintf("Look the ID up in the cluster's region with `aws ec2 describe-images --region <cluster-region> --filters %s --query 'Images[].ImageId' --output text` and use the ami- ID it prints.",
				shellWord("Name=name,Values="+s, "Name=name,Values=<name>")))
	}
	what := "characters that cannot appear in an AMI ID or an AMI name"
	if i, r := firstBadAMINameChar(s); i >= 0 {
		what = describeRune(r) + fmt.Sprintf(" at byte %d, which cannot appear in an AMI ID", i)
	}
	if schemeEnd(s) > 0 {
		what = "a URL scheme (a URL is not an AMI ID)"
	}
	return newProblem(finding.CodeAWSAMIInvalid,
		fmt.Sprintf("%s is not an AMI ID: it contains %s; expected %s.", quote(s), what, amiShape),
		fmt.Sprintf("Set the image to the ID of an AMI that is available in the cluster's region, for example %q (find it in the EC2 console under Images > AMIs).", exampleAMI))
}

// amiARNProblem explains an ARN given instead of an AMI ID.
func amiARNProblem(s string) *Problem {
	// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
	parts := strings.SplitN(s, ":", 6)
	service, region, resource := "", "", ""
	if len(parts) == 6 {
		service, region, resource = strings.ToLower(parts[2]), parts[3], parts[5]
	}
	regionNote := ""
	if region != "" && isRegionLike(region) {
		regionNote = fmt.Sprintf(" (the ARN places it in region %s; the cluster must run in that region, or copy the AMI there with `aws ec2 copy-image`)", quote(region))
	}
	if service == "imagebuilder" {
		return newProblem(finding.CodeAWSAMIARN,
			fmt.Sprintf("%s is an EC2 Image Builder image ARN, not an AMI ID; the image must be %s.", quote(s), amiShape),
			fmt.Sprintf("Look up the AMI that Image Builder distributed to the cluster's region with `aws imagebuilder get-image --image-build-version-arn %s --query 'image.outputResources.amis[].[region,image]' --output text` and use that ami- ID%s.",
				shellWord(s, "<image-build-version-arn>"), regionNote))
	}
	if i := indexFold(resource, "image/"); i >= 0 {
		id := resource[i+len("image/"):]
		if j := strings.IndexAny(id, "/:"); j >= 0 {
			id = id[:j]
		}
		if isAMIIDFold(id) {
			return newProblem(finding.CodeAWSAMIARN,
				fmt.Sprintf("%s is an ARN; the image must be a bare AMI ID, %s, not an ARN.", quote(s), amiShape),
				fmt.Sprintf("Use just the AMI ID: %s%s.", quote(strings.ToLower(id)), regionNote))
		}
	}
	return newProblem(finding.CodeAWSAMIARN,
		fmt.Sprintf("%s is an ARN, not an AMI ID; the image must be %s.", quote(s), amiShape),
		fmt.Sprintf("Use the ID of the AMI instead, for example %q; find it in the EC2 console under Images > AMIs in the cluster's region.", exampleAMI))
}

// snapshotProblem explains an EBS snapshot ID given instead of an AMI ID.
func snapshotProblem(s string) *Problem {
	snap := "<snapshot-id>"
	if len(s) > 5 && isHexFold(s[5:]) {
		snap = strings.ToLower(s)
	}
	return newProblem(finding.CodeAWSSnapshotID,
		fmt.Sprintf("%s is an EBS snapshot ID; a snapshot is not an image: the cluster needs an AMI ID, %s.", quote(s), amiShape),
		fmt.Sprintf("Register an AMI from the snapshot with `aws ec2 register-image --name <name> --architecture x86_64 --virtualization-type hvm --ena-support --root-device-name /dev/xvda --block-device-mappings 'DeviceName=/dev/xvda,Ebs={SnapshotId=%s}'` in the cluster's region and use the ami- ID it returns.", snap))
}

// amiPrefixProblem explains a value that starts with ami- (any case) but is not a valid ID.
func amiPrefixProblem(s string) *Problem {
	rest := s[4:]
	if isAMIIDFold(s) {
		return newProblem(finding.CodeAWSAMIUppercase,
			fmt.Sprintf("the AMI ID %s has upper-case letters; AMI IDs are written in lower case: %s.", quote(s), amiShape),
			fmt.Sprintf("Use the lower-case ID: %s.", quote(strings.ToLower(s))))
	}
	hexDigits, firstBad, badAt := 0, rune(0), -1
	for i, r := range rest {
		if r < 0x80 && isHexByte(byte(r)) {
			hexDigits++
		} else if badAt < 0 {
			firstBad, badAt = r, i
		}
	}
	var msg string
	if badAt < 0 {
		msg = fmt.Sprintf("%s is not a valid AMI ID: it has %d hex digits after \"ami-\", but an AMI ID has exactly 17 (or, for older AMIs, 8).", quote(s), hexDigits)
	} else {
		msg = fmt.Sprintf("%s is not a valid AMI ID: after \"ami-\" it has %d hex digits and %s, which is not a hex digit; expected %s.",
			quote(s), hexDigits, describeRune(firstBad), amiShape)
	}
	hint := fmt.Sprintf("Copy the complete ID from the EC2 console (Images > AMIs, in the cluster's region); it looks like %q.", exampleAMI)
	if badAt >= 0 && isAMIName(s) && looksLikeName(rest) {
		hint += fmt.Sprintf(" If %s is the AMI's name, look its ID up with `aws ec2 describe-images --region <cluster-region> --filters %s --query 'Images[].ImageId' --output text`.",
			quote(s), shellWord("Name=name,Values="+s, "Name=name,Values=<name>"))
	}
	return newProblem(finding.CodeAWSAMIMalformed, msg, hint)
}

// otherResourceProblem recognises the ID of another kind of AWS resource (i-…, vol-…).
func otherResourceProblem(s, lower string) *Problem {
	dash := strings.LastIndexByte(lower, '-')
	if dash <= 0 {
		return nil
	}
	prefix, digits := lower[:dash], lower[dash+1:]
	if len(digits) != 8 && len(digits) != 17 || !isLowerHex(digits) {
		return nil
	}
	var kind, hint string
	switch prefix {
	case "i":
		kind = "an EC2 instance ID"
		hint = fmt.Sprintf("Create an image from the instance with `aws ec2 create-image --instance-id %s --name <name>` and use the ami- ID it returns.", lower)
	case "vol":
		kind = "an EBS volume ID"
		hint = fmt.Sprintf("Snapshot the volume (`aws ec2 create-snapshot --volume-id %s`), register an AMI from the snapshot with `aws ec2 register-image`, and use the ami- ID it returns.", lower)
	case "import-ami":
		kind = "a VM import task ID"
		hint = fmt.Sprintf("Wait for the import to finish and use the AMI it produced: `aws ec2 describe-import-image-tasks --import-task-ids %s --query 'ImportImageTasks[].ImageId' --output text`.", lower)
	case "import-snap":
		kind = "a snapshot import task ID"
		hint = fmt.Sprintf("Wait for the import to finish (`aws ec2 describe-import-snapshot-tasks --import-task-ids %s`), register an AMI from the snapshot with `aws ec2 register-image`, and use the ami- ID it returns.", lower)
	case "eni":
		kind = "an elastic network interface ID"
	case "sg":
		kind = "a security group ID"
	case "subnet":
		kind = "a subnet ID"
	case "vpc":
		kind = "a VPC ID"
	case "lt":
		kind = "a launch template ID"
	case "eipalloc":
		kind = "an Elastic IP allocation ID"
	case "igw", "nat", "rtb", "acl", "tgw", "vpce", "pcx", "dopt", "eigw":
		kind = "an EC2 networking resource ID"
	case "aki", "ari":
		kind = "a legacy kernel or ramdisk image ID"
	case "r":
		kind = "an EC2 reservation ID"
	case "key":
		kind = "a key pair ID"
	default:
		return nil
	}
	if hint == "" {
		hint = fmt.Sprintf("Set the image to the ID of an AMI that is available in the cluster's region, for example %q (find it in the EC2 console under Images > AMIs).", exampleAMI)
	}
	return newProblem(finding.CodeAWSAMIInvalid,
		fmt.Sprintf("%s is %s, not an AMI ID; expected %s.", quote(s), kind, amiShape), hint)
}

// isAMINameByte reports whether c may appear in an AMI name as this package accepts it:
// letters, digits and . _ - ( ) [ ] @. (AWS also allows spaces, slashes and quotes, but a
// value with those is more likely something else and is reported as invalid.)
func isAMINameByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '.', '_', '-', '(', ')', '[', ']', '@':
		return true
	}
	return false
}

// isAMIName reports whether s could be an AMI name: 3–128 name characters.
func isAMIName(s string) bool {
	if len(s) < 3 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAMINameByte(s[i]) {
			return false
		}
	}
	return true
}

// firstBadAMINameChar returns the first character of s that cannot be in an AMI name.
func firstBadAMINameChar(s string) (int, rune) {
	for i, r := range s {
		if r >= 0x80 || !isAMINameByte(byte(r)) {
			return i, r
		}
	}
	return -1, 0
}

// looksLikeName reports whether the text after "ami-" reads like a name rather than a
// mistyped ID: it has separators or letters that are not hex digits.
func looksLikeName(rest string) bool {
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if c == '-' || c == '.' || c == '_' || c >= 'g' && c <= 'z' || c >= 'G' && c <= 'Z' {
			return true
		}
	}
	return false
}

// isRegionLike reports whether s looks like an AWS region name (us-east-1).
func isRegionLike(s string) bool {
	if len(s) < 5 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isHexByte reports whether c is a hex digit of either case.
func isHexByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// isAllDigits reports whether s is non-empty and only ASCII digits.
func isAllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// shellWord returns s as one single-quoted shell word when it is short and printable
// ASCII without a single quote, and placeholder otherwise, so hints stay copy-pasteable.
// A value that carries a credential ([secret.URLHasCredentials]) is never repeated: it
// gives the placeholder too.
func shellWord(s, placeholder string) string {
	if len(s) > 256 || secret.URLHasCredentials(s) {
		return placeholder
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '!' || c > '~' || c == '\'' {
			return placeholder
		}
	}
	return "'" + s + "'"
}

// indexFold is strings.Index ignoring ASCII case, with byte offsets into s
// (strings.ToLower can change the length of text that is not valid UTF-8).
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
