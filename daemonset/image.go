package daemonset

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ImageTag parses an image reference as the kubelet and the API server do
// and returns the tag and the digest written in it: "" for a part that is
// absent. A reference with neither a tag nor a digest runs the tag "latest"
// (upstream's ParseImageName reports that default; DefaultPullPolicy applies
// it), so ImageTag("nginx") is ("", "", nil) while ImageTag("nginx:latest")
// is ("latest", "", nil). Both parts may be present
// ("nginx:1.27@sha256:…"); the runtime then pulls by digest.
//
// A reference upstream cannot parse is an error, worded as upstream's (for
// example `couldn't parse image name "Nginx": invalid reference format:
// repository name (library/Nginx) must be lowercase`): an empty string, an
// uppercase repository, a 64-character hexadecimal identifier, a path over
// 255 characters, or a digest go-digest rejects. The kubelet refuses such an
// image (ErrInvalidImageName).
//
// The grammar is github.com/distribution/reference v0.6.0
// ParseNormalizedNamed (Docker Hub names normalised: "nginx" is
// docker.io/library/nginx, "registry:5000/app" keeps its registry and port)
// with github.com/opencontainers/go-digest v1.0.0 validation (sha256, sha384
// and sha512 available), reproduced with the same regular expressions so the
// main module does not depend on them.
//
// upstream: pkg/util/parsers/parsers.go ParseImageName
func ImageTag(image string) (tag, digest string, err error) {
	tag, digest, err = parseNormalizedNamed(image)
	if err != nil {
		return "", "", fmt.Errorf("couldn't parse image name %q: %w", image, err)
	}
	return tag, digest, nil
}

// The errors of distribution/reference and go-digest that a reference can
// fail with, worded as there.
var (
	errReferenceInvalidFormat = errors.New("invalid reference format")
	errNameContainsUppercase  = errors.New("repository name must be lowercase")
	errNameTooLong            = fmt.Errorf("repository name must not be more than %d characters", repositoryNameTotalLengthMax)
	errDigestInvalidFormat    = errors.New("invalid checksum digest format")
	errDigestInvalidLength    = errors.New("invalid checksum digest length")
	errDigestUnsupported      = errors.New("unsupported digest algorithm")
)

// parseNormalizedNamed returns the tag and digest of image.
// upstream: distribution/reference normalize.go ParseNormalizedNamed and
// reference.go Parse
func parseNormalizedNamed(image string) (tag, digest string, err error) {
	if anchoredIdentifierRegexp.MatchString(image) {
		return "", "", fmt.Errorf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", image)
	}
	domain, remainder := splitDockerDomain(image)
	remote := remainder
	if i := strings.IndexRune(remainder, ':'); i > -1 {
		remote = remainder[:i]
	}
	if strings.ToLower(remote) != remote {
		return "", "", fmt.Errorf("invalid reference format: repository name (%s) must be lowercase", remote)
	}
	s := domain + "/" + remainder
	m := referenceRegexp.FindStringSubmatch(s)
	if m == nil {
		// s is never empty here, so upstream's ErrNameEmpty cannot occur.
		if referenceRegexp.MatchString(strings.ToLower(s)) {
			return "", "", errNameContainsUppercase
		}
		return "", "", errReferenceInvalidFormat
	}
	// The length limit is on the path without the domain. The path is a
	// suffix of the name, so only a long name needs the second match.
	if len(m[1]) > repositoryNameTotalLengthMax {
		path := m[1]
		if name := anchoredNameRegexp.FindStringSubmatch(m[1]); len(name) == 3 {
			path = name[2]
		}
		if len(path) > repositoryNameTotalLengthMax {
			return "", "", errNameTooLong
		}
	}
	if m[3] != "" {
		if err := validateDigest(m[3]); err != nil {
			return "", "", err
		}
	}
	return m[2], m[3], nil
}

// splitDockerDomain splits a reference into registry domain and path,
// normalising Docker Hub names (nginx -> docker.io/library/nginx).
// upstream: distribution/reference normalize.go splitDockerDomain
func splitDockerDomain(name string) (domain, remoteName string) {
	const (
		defaultDomain       = "docker.io"
		legacyDefaultDomain = "index.docker.io"
		officialRepoPrefix  = "library/"
	)
	maybeDomain, maybeRemoteName, ok := strings.Cut(name, "/")
	if !ok {
		return defaultDomain, officialRepoPrefix + name
	}
	switch {
	case maybeDomain == "localhost":
		domain, remoteName = maybeDomain, maybeRemoteName
	case maybeDomain == legacyDefaultDomain:
		domain, remoteName = defaultDomain, maybeRemoteName
	case strings.ContainsAny(maybeDomain, ".:"):
		domain, remoteName = maybeDomain, maybeRemoteName
	case strings.ToLower(maybeDomain) != maybeDomain:
		domain, remoteName = maybeDomain, maybeRemoteName
	default:
		domain, remoteName = defaultDomain, name
	}
	if domain == defaultDomain && !strings.ContainsRune(remoteName, '/') {
		remoteName = officialRepoPrefix + remoteName
	}
	return domain, remoteName
}

// validateDigest is go-digest's Parse: a registered and available algorithm
// with a lowercase hex encoding of exactly its size.
// upstream: opencontainers/go-digest digest.go Digest.Validate,
// algorithm.go Algorithm.Validate
func validateDigest(d string) error {
	i := strings.Index(d, ":")
	if i <= 0 || i+1 == len(d) {
		return errDigestInvalidFormat
	}
	var size int
	switch d[:i] {
	case "sha256":
		size = 64
	case "sha384":
		size = 96
	case "sha512":
		size = 128
	default:
		if !anchoredDigestRegexp.MatchString(d) {
			return errDigestInvalidFormat
		}
		return errDigestUnsupported
	}
	encoded := d[i+1:]
	if len(encoded) != size {
		return errDigestInvalidLength
	}
	for k := 0; k < len(encoded); k++ {
		c := encoded[k]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return errDigestInvalidFormat
		}
	}
	return nil
}

// The reference grammar, built exactly as distribution/reference v0.6.0
// regexp.go builds it, and go-digest v1.0.0's DigestRegexp. Compiled once;
// *regexp.Regexp is immutable and safe for concurrent use.
const (
	repositoryNameTotalLengthMax = 255

	refAlphanumeric        = `[a-z0-9]+`
	refSeparator           = `(?:[._]|__|[-]+)`
	refDomainNameComponent = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`
	refOptionalPort        = `(?::[0-9]+)?`
	refTag                 = `[\w][\w.-]{0,127}`
	refDigest              = `[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}`
	refIdentifier          = `([a-f0-9]{64})`
	refIPv6Address         = `\[(?:[a-fA-F0-9:]+)\]`

	refDomainName    = refDomainNameComponent + `(?:\.` + refDomainNameComponent + `)*`
	refHost          = `(?:` + refDomainName + `|` + refIPv6Address + `)`
	refDomainAndPort = refHost + refOptionalPort
	refPathComponent = refAlphanumeric + `(?:` + refSeparator + refAlphanumeric + `)*`
	refRemoteName    = refPathComponent + `(?:/` + refPathComponent + `)*`
	refName          = `(?:` + refDomainAndPort + `/)?` + refRemoteName

	goDigest = `[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`
)

var (
	anchoredIdentifierRegexp = regexp.MustCompile(`^` + refIdentifier + `$`)
	anchoredNameRegexp       = regexp.MustCompile(`^(?:(` + refDomainAndPort + `)/)?(` + refRemoteName + `)$`)
	referenceRegexp          = regexp.MustCompile(`^(` + refName + `)(?::(` + refTag + `))?(?:@(` + refDigest + `))?$`)
	anchoredDigestRegexp     = regexp.MustCompile(`^` + goDigest + `$`)
)
