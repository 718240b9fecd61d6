package daemonset

import (
	corev1 "k8s.io/api/core/v1"
)

// Pod-template defaults of core/v1, as the generated apps/v1 defaulter applies
// them to a DaemonSet's template (containers, probes, env, resources, volumes),
// and imagePullPolicy from the image reference (parsed by ImageTag).

// setContainerDefaults defaults one (init, regular or ephemeral) container and
// everything nested in it.
// upstream: apps/v1 zz_generated.defaults.go SetObjectDefaults_DaemonSet,
// per-container block; core/v1 defaults.go SetDefaults_Container
func setContainerDefaults(c *corev1.Container) {
	if c.ImagePullPolicy == "" {
		c.ImagePullPolicy = DefaultPullPolicy(c.Image)
	}
	if c.TerminationMessagePath == "" {
		c.TerminationMessagePath = corev1.TerminationMessagePathDefault
	}
	if c.TerminationMessagePolicy == "" {
		c.TerminationMessagePolicy = corev1.TerminationMessageReadFile
	}
	for j := range c.Ports {
		if c.Ports[j].Protocol == "" {
			c.Ports[j].Protocol = corev1.ProtocolTCP
		}
	}
	for j := range c.Env {
		from := c.Env[j].ValueFrom
		if from == nil {
			continue
		}
		if from.FieldRef != nil {
			setFieldSelectorDefaults(from.FieldRef)
		}
		if from.FileKeyRef != nil && from.FileKeyRef.Optional == nil {
			optional := false
			from.FileKeyRef.Optional = &optional
		}
	}
	roundResourceList(c.Resources.Limits)
	roundResourceList(c.Resources.Requests)
	setProbeDefaults(c.LivenessProbe)
	setProbeDefaults(c.ReadinessProbe)
	setProbeDefaults(c.StartupProbe)
	if c.Lifecycle != nil {
		if c.Lifecycle.PostStart != nil {
			setHTTPGetDefaults(c.Lifecycle.PostStart.HTTPGet)
		}
		if c.Lifecycle.PreStop != nil {
			setHTTPGetDefaults(c.Lifecycle.PreStop.HTTPGet)
		}
	}
}

// setProbeDefaults defaults a probe's timings and its HTTP/gRPC handler; nil is
// left nil.
// upstream: core/v1 defaults.go SetDefaults_Probe (+ generated handler walk)
func setProbeDefaults(p *corev1.Probe) {
	if p == nil {
		return
	}
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = 1
	}
	if p.PeriodSeconds == 0 {
		p.PeriodSeconds = 10
	}
	if p.SuccessThreshold == 0 {
		p.SuccessThreshold = 1
	}
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 3
	}
	setHTTPGetDefaults(p.HTTPGet)
	if p.GRPC != nil && p.GRPC.Service == nil {
		service := ""
		p.GRPC.Service = &service
	}
}

// setHTTPGetDefaults defaults an httpGet action; nil is left nil. The h2c
// protocol default (H2CContainerProbe) belongs to Pods only, not templates.
// upstream: core/v1 defaults.go SetDefaults_HTTPGetAction
func setHTTPGetDefaults(a *corev1.HTTPGetAction) {
	if a == nil {
		return
	}
	if a.Path == "" {
		a.Path = "/"
	}
	if a.Scheme == "" {
		a.Scheme = corev1.URISchemeHTTP
	}
}

// setFieldSelectorDefaults: fieldRef.apiVersion "" becomes "v1".
// upstream: core/v1 defaults.go SetDefaults_ObjectFieldSelector
func setFieldSelectorDefaults(s *corev1.ObjectFieldSelector) {
	if s.APIVersion == "" {
		s.APIVersion = "v1"
	}
}

// roundResourceList rounds every quantity up to milli precision, writing each
// entry back as upstream does (which also drops a cached string form when the
// value changed).
// upstream: core/v1 defaults.go SetDefaults_ResourceList
func roundResourceList(list corev1.ResourceList) {
	for name, q := range list {
		q.RoundUp(-3)
		list[name] = q
	}
}

// setVolumeDefaults defaults one pod-template volume and its source.
// upstream: core/v1 defaults.go SetDefaults_Volume and the generated
// per-volume block of SetObjectDefaults_DaemonSet
func setVolumeDefaults(v *corev1.Volume) {
	src := &v.VolumeSource
	if volumeSourceEmpty(src) {
		*src = corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
	}
	// ImageVolume is GA and locked on in v1.37.
	if src.Image != nil && src.Image.PullPolicy == "" {
		src.Image.PullPolicy = DefaultPullPolicy(src.Image.Reference)
	}
	if src.HostPath != nil && src.HostPath.Type == nil {
		t := corev1.HostPathUnset
		src.HostPath.Type = &t
	}
	if src.Secret != nil && src.Secret.DefaultMode == nil {
		mode := corev1.SecretVolumeSourceDefaultMode
		src.Secret.DefaultMode = &mode
	}
	if src.ISCSI != nil && src.ISCSI.ISCSIInterface == "" {
		src.ISCSI.ISCSIInterface = "default"
	}
	if rbd := src.RBD; rbd != nil {
		if rbd.RBDPool == "" {
			rbd.RBDPool = "rbd"
		}
		if rbd.RadosUser == "" {
			rbd.RadosUser = "admin"
		}
		if rbd.Keyring == "" {
			rbd.Keyring = "/etc/ceph/keyring"
		}
	}
	if src.DownwardAPI != nil {
		if src.DownwardAPI.DefaultMode == nil {
			mode := corev1.DownwardAPIVolumeSourceDefaultMode
			src.DownwardAPI.DefaultMode = &mode
		}
		setDownwardAPIItemDefaults(src.DownwardAPI.Items)
	}
	if src.ConfigMap != nil && src.ConfigMap.DefaultMode == nil {
		mode := corev1.ConfigMapVolumeSourceDefaultMode
		src.ConfigMap.DefaultMode = &mode
	}
	if disk := src.AzureDisk; disk != nil {
		if disk.CachingMode == nil {
			m := corev1.AzureDataDiskCachingReadWrite
			disk.CachingMode = &m
		}
		if disk.FSType == nil {
			fs := "ext4"
			disk.FSType = &fs
		}
		if disk.ReadOnly == nil {
			ro := false
			disk.ReadOnly = &ro
		}
		if disk.Kind == nil {
			k := corev1.AzureSharedBlobDisk
			disk.Kind = &k
		}
	}
	if p := src.Projected; p != nil {
		if p.DefaultMode == nil {
			mode := corev1.ProjectedVolumeSourceDefaultMode
			p.DefaultMode = &mode
		}
		for j := range p.Sources {
			s := &p.Sources[j]
			if s.DownwardAPI != nil {
				setDownwardAPIItemDefaults(s.DownwardAPI.Items)
			}
			// upstream: core/v1 defaults.go SetDefaults_ServiceAccountTokenProjection
			if s.ServiceAccountToken != nil && s.ServiceAccountToken.ExpirationSeconds == nil {
				hour := int64(3600)
				s.ServiceAccountToken.ExpirationSeconds = &hour
			}
		}
	}
	if sio := src.ScaleIO; sio != nil {
		if sio.StorageMode == "" {
			sio.StorageMode = "ThinProvisioned"
		}
		if sio.FSType == "" {
			sio.FSType = "xfs"
		}
	}
	if src.Ephemeral != nil && src.Ephemeral.VolumeClaimTemplate != nil {
		// upstream: core/v1 defaults.go SetDefaults_PersistentVolumeClaimSpec
		claim := &src.Ephemeral.VolumeClaimTemplate.Spec
		if claim.VolumeMode == nil {
			mode := corev1.PersistentVolumeFilesystem
			claim.VolumeMode = &mode
		}
		roundResourceList(claim.Resources.Limits)
		roundResourceList(claim.Resources.Requests)
	}
}

func setDownwardAPIItemDefaults(items []corev1.DownwardAPIVolumeFile) {
	for k := range items {
		if items[k].FieldRef != nil {
			setFieldSelectorDefaults(items[k].FieldRef)
		}
	}
}

// volumeSourceEmpty reports whether every source pointer is nil: the
// reflection-free form of upstream's ptr.AllPtrFieldsNil(&obj.VolumeSource).
// defaults_test.go checks that this list covers every pointer field.
func volumeSourceEmpty(s *corev1.VolumeSource) bool {
	return s.HostPath == nil && s.EmptyDir == nil && s.GCEPersistentDisk == nil &&
		s.AWSElasticBlockStore == nil && s.GitRepo == nil && s.Secret == nil &&
		s.NFS == nil && s.ISCSI == nil && s.Glusterfs == nil &&
		s.PersistentVolumeClaim == nil && s.RBD == nil && s.FlexVolume == nil &&
		s.Cinder == nil && s.CephFS == nil && s.Flocker == nil &&
		s.DownwardAPI == nil && s.FC == nil && s.AzureFile == nil &&
		s.ConfigMap == nil && s.VsphereVolume == nil && s.Quobyte == nil &&
		s.AzureDisk == nil && s.PhotonPersistentDisk == nil && s.Projected == nil &&
		s.PortworxVolume == nil && s.ScaleIO == nil && s.StorageOS == nil &&
		s.CSI == nil && s.Ephemeral == nil && s.Image == nil
}

// DefaultPullPolicy is the imagePullPolicy the API server gives a container
// (or an image volume) that names image and sets no policy: Always when the
// reference parses with tag "latest", or with neither tag nor digest;
// IfNotPresent otherwise — including every reference that fails to parse
// (empty, uppercase repository, bad digest), because upstream ignores the
// parse error and finds no tag.
// The parse is [ImageTag].
//
// upstream: pkg/apis/core/v1/defaults.go SetDefaults_Container;
// pkg/util/parsers/parsers.go ParseImageName
func DefaultPullPolicy(image string) corev1.PullPolicy {
	tag, digest, err := ImageTag(image)
	// upstream: parsers.go ParseImageName — no tag and no digest means latest.
	if err == nil && (tag == "latest" || tag == "" && digest == "") {
		return corev1.PullAlways
	}
	return corev1.PullIfNotPresent
}
