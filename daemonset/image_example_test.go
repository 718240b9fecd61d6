package daemonset_test

import (
	"fmt"

	"github.com/daemonkit/daemonkit/daemonset"
)

// ImageTag returns the tag and digest as written; a reference with neither
// runs "latest". A registry port is not a tag.
func ExampleImageTag() {
	for _, image := range []string{
		"nginx",
		"registry:5000/agents/node-exporter:v1.8.2",
		"quay.io/cilium/cilium:v1.16.1@sha256:0b4a3ab41a4760d86b7fc945b8783747ba1b8ff16b7d12d1a1e9a30bbd0c6e3b",
		"Nginx:latest",
	} {
		tag, digest, err := daemonset.ImageTag(image)
		fmt.Printf("tag=%q digest=%t err=%v\n", tag, digest != "", err)
	}
	// Output:
	// tag="" digest=false err=<nil>
	// tag="v1.8.2" digest=false err=<nil>
	// tag="v1.16.1" digest=true err=<nil>
	// tag="" digest=false err=couldn't parse image name "Nginx:latest": invalid reference format: repository name (library/Nginx) must be lowercase
}
