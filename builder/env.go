package builder

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// Field paths of the pod that EnvFromField can expose (the downward API);
// the API server accepts these and a few more (see the core validation's
// validEnvDownwardAPIFieldPathExpressions).
const (
	FieldNodeName           = "spec.nodeName"
	FieldHostIP             = "status.hostIP"
	FieldPodName            = "metadata.name"
	FieldPodNamespace       = "metadata.namespace"
	FieldPodIP              = "status.podIP"
	FieldServiceAccountName = "spec.serviceAccountName"
)

// Env sets the environment variable name to a plain value. Variables are
// keyed by name: setting an existing one replaces it in place.
func Env(name, value string) ContainerOption {
	return setEnv(corev1.EnvVar{Name: name, Value: value})
}

// EnvFromField sets name from a field of the pod, such as FieldNodeName or
// FieldHostIP (downward API).
func EnvFromField(name, fieldPath string) ContainerOption {
	return setEnv(corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{FieldPath: fieldPath}}})
}

// EnvFromResource sets name from a resource of this container, such as
// "limits.memory" (the usual source of GOMEMLIMIT) or "requests.cpu".
func EnvFromResource(name, resource string) ContainerOption {
	return setEnv(corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: resource}}})
}

// EnvFromConfigMap sets name from key of the ConfigMap configMap.
func EnvFromConfigMap(name, configMap, key string) ContainerOption {
	return setEnv(corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: configMap}, Key: key}}})
}

// EnvFromSecret sets name from key of the Secret secret.
func EnvFromSecret(name, secret, key string) ContainerOption {
	return setEnv(corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key}}})
}

// RemoveEnv removes the environment variables with these names.
func RemoveEnv(names ...string) ContainerOption {
	names = slices.Clone(names)
	return containerOptionFunc(func(x *containerCtx) {
		x.c.Env = slices.DeleteFunc(slices.Clone(x.c.Env), func(e corev1.EnvVar) bool { return slices.Contains(names, e.Name) })
	})
}

func setEnv(v corev1.EnvVar) ContainerOption {
	return containerOptionFunc(func(x *containerCtx) {
		v := *v.DeepCopy()
		env := slices.Clone(x.c.Env)
		if i := slices.IndexFunc(env, func(e corev1.EnvVar) bool { return e.Name == v.Name }); i >= 0 {
			env[i] = v
		} else {
			env = append(env, v)
		}
		x.c.Env = env
	})
}
