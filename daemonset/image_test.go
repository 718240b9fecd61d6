package daemonset

import (
	"strings"
	"testing"
)

// TestImageTag covers every reference form of the parse, with upstream's
// error wording.
// upstream: pkg/util/parsers/parsers_test.go TestParseImageName;
// distribution/reference normalize_test.go TestParseNormalizedNamed and
// reference_test.go TestReferenceParse; go-digest digest_test.go
func TestImageTag(t *testing.T) {
	const hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		image       string
		tag, digest string
		err         string // the part after `couldn't parse image name "…": `
	}{
		{image: "nginx"},
		{image: "nginx:latest", tag: "latest"},
		{image: "nginx:1.27", tag: "1.27"},
		{image: "nginx:LATEST", tag: "LATEST"}, // tags are case-sensitive
		{image: "library/nginx"},
		{image: "docker.io/library/nginx:latest", tag: "latest"},
		{image: "index.docker.io/nginx"},
		{image: "registry:5000/nginx"}, // the port is not a tag
		{image: "registry:5000/nginx:5000", tag: "5000"},
		{image: "localhost/app"},
		{image: "localhost:5000/app:v1", tag: "v1"},
		{image: "[::1]:5000/app:v2", tag: "v2"},
		{image: "gcr.io/project/app/sub:latest", tag: "latest"},
		{image: "nginx@sha256:" + hex, digest: "sha256:" + hex},
		{image: "nginx:1.2@sha256:" + hex, tag: "1.2", digest: "sha256:" + hex},
		{image: "registry:5000/a/b@sha512:" + hex + hex, digest: "sha512:" + hex + hex},
		{image: "Registry.Example.com/app"}, // uppercase is allowed in the domain
		{image: "a__b"},                     // double underscore separator
		{image: "app:" + strings.Repeat("t", 128), tag: strings.Repeat("t", 128)},
		{image: "app" + strings.Repeat("x", 244)}, // library/ + 247 = 255 chars

		{image: "nginx@sha256:" + strings.ToUpper(hex), err: "invalid checksum digest format"},
		{image: "nginx@sha256:" + hex[:63], err: "invalid checksum digest length"},
		{image: "nginx@md5:" + hex[:32], err: "unsupported digest algorithm"},
		{image: "nginx@MD5:" + hex[:32], err: "invalid reference format: repository name (library/nginx@MD5) must be lowercase"},
		{image: "Nginx", err: "invalid reference format: repository name (library/Nginx) must be lowercase"},
		{image: "registry.example.com/App", err: "invalid reference format: repository name (App) must be lowercase"},
		{image: "", err: "invalid reference format"},
		{image: hex, err: "invalid repository name (" + hex + "), cannot specify 64-byte hexadecimal strings"},
		{image: "nginx:", err: "invalid reference format"},
		{image: "-nginx", err: "invalid reference format"},
		{image: "a___b", err: "invalid reference format"},
		{image: "app:" + strings.Repeat("t", 129), err: "invalid reference format"},
		{image: "app" + strings.Repeat("x", 245), err: "repository name must not be more than 255 characters"},
		{image: "registry:5000/app:V1@sha256:" + hex + "A", err: "invalid checksum digest length"},
		{image: "localhost:5000/App:tag", err: "invalid reference format: repository name (App) must be lowercase"},
		{image: "r.io/app:TAG@SHA256:" + hex, err: "invalid checksum digest format"},
	}
	for _, tc := range tests {
		name := tc.image
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		t.Run(name, func(t *testing.T) {
			tag, digest, err := ImageTag(tc.image)
			if tag != tc.tag || digest != tc.digest {
				t.Errorf("ImageTag(%q) = (%q, %q), want (%q, %q)", tc.image, tag, digest, tc.tag, tc.digest)
			}
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("ImageTag(%q): unexpected error %v", tc.image, err)
			case tc.err != "":
				want := `couldn't parse image name "` + tc.image + `": ` + tc.err
				if err == nil || err.Error() != want {
					t.Errorf("ImageTag(%q) error = %v, want %s", tc.image, err, want)
				}
			}
		})
	}
}

// FuzzImageTag: any string parses or fails without panicking; what parses
// ends with the tag and digest returned, and a bare reference that parses
// takes a tag appended to it.
func FuzzImageTag(f *testing.F) {
	for _, s := range []string{"nginx", "nginx:1.2", "registry:5000/a/b@sha256:" + strings.Repeat("a", 64), "", "Nginx",
		"[::1]/x", "localhost:5000/app:v1", "a__b", "nginx@md5:" + strings.Repeat("a", 32)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, image string) {
		tag, digest, err := ImageTag(image)
		if err != nil {
			if tag != "" || digest != "" {
				t.Fatalf("ImageTag(%q) = (%q, %q) with error %v", image, tag, digest, err)
			}
			if !strings.HasPrefix(err.Error(), "couldn't parse image name ") {
				t.Fatalf("ImageTag(%q) error %q lacks upstream's prefix", image, err)
			}
			return
		}
		suffix := ""
		if tag != "" {
			suffix += ":" + tag
		}
		if digest != "" {
			suffix += "@" + digest
		}
		if !strings.HasSuffix(image, suffix) || len(suffix) == len(image) {
			t.Fatalf("ImageTag(%q) = (%q, %q): not a name followed by them", image, tag, digest)
		}
		if tag == "" && digest == "" {
			if tag2, digest2, err := ImageTag(image + ":v1"); err != nil || tag2 != "v1" || digest2 != "" {
				t.Fatalf("ImageTag(%q) = (%q, %q, %v), want (v1, \"\", nil)", image+":v1", tag2, digest2, err)
			}
		}
	})
}
