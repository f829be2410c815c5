package schema_test

import (
	"fmt"

	"github.com/byoos/byoos/schema"
	"github.com/byoos/byoos/values"
)

func Example() {
	s, problems, err := schema.Parse([]byte(`
pack.osVersion:
  schema: '{{ required | format "${string}" | hints "the OS release, e.g. 8.10" }}'
registry.port:
  schema: '{{ format "${number:[5000-5005]}" }}'
registry.addresses.$[]:
  schema: '{{ format "${ipv4} - ${ipv4}" }}'
registry.password:
  schema: '{{ format "${password}" }}'
`))
	if err != nil || len(problems) > 0 {
		fmt.Println(err, problems)
		return
	}
	doc, err := values.Parse([]byte(`pack:
  osVersion: 8.10
registry:
  port: 6000
  addresses:
  - 10.10.10.10-10.10.10.255
  password: hunter2
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range s.Check(doc, nil) {
		fmt.Println(f)
	}
	fmt.Println(s.IsSecret("registry.password"))
	// Output:
	// :2:14: error schema-type pack.osVersion: pack.osVersion is the number 8.1 (YAML reads 8.10 as a number), expected a string (quote it: osVersion: "8.10"; the pack says: the OS release, e.g. 8.10)
	// :4:9: error schema-range registry.port: registry.port is the integer 6000, expected a number from 5000 to 5005 (set registry.port to a number from 5000 to 5005)
	// :6:5: error schema-format registry.addresses[0]: registry.addresses[0] is the string "10.10.10.10-10.10.10.255", expected text in the form "${ipv4} - ${ipv4}" (spaces and punctuation exactly as shown) (write it in the form ${ipv4} - ${ipv4} exactly, spaces included, e.g. "10.0.0.1 - 10.0.0.1")
	// true
}
