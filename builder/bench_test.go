package builder

import "testing"

// BenchmarkBuild builds a typical node agent (the log-shipper golden case):
// deep copy, quantity parsing, privilege check and annotation, Validate.
func BenchmarkBuild(b *testing.B) {
	for _, tc := range goldenCases[:3] {
		bl := tc.b()
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bl.Build(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConstruct measures the chain of calls that sets up a builder.
func BenchmarkConstruct(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = goldenCases[1].b()
	}
}

// BenchmarkClone measures forking a base builder into a variant.
func BenchmarkClone(b *testing.B) {
	base := goldenCases[1].b()
	b.ReportAllocs()
	for b.Loop() {
		_ = base.Clone()
	}
}
