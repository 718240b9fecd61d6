package main

import (
	"strings"

	"github.com/daemonkit/daemonkit/daemonset"
	"github.com/daemonkit/daemonkit/simulate"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// reasonOut is one reason a node does not run the daemon pod, with a code
// programs switch on and the detail fields of that code
// (docs/json-schema.md).
type reasonOut struct {
	// Code is daemonset.ReasonKind (the controller stage: NodeName,
	// NodeSelector, NodeAffinity, UntoleratedTaint) or simulate.PendingKind
	// (the scheduler stage: InsufficientResource, TooManyPods,
	// HostPortConflict, NodeUnschedulable, PodAffinity, PodAntiAffinity,
	// ExistingPodsAntiAffinity, TopologySpread, TopologySpreadMissingLabel),
	// or PodNeverReady on a Runs node
	// that is NotReady or unreachable (its pod is not Ready).
	Code    string `json:"code"`
	Message string `json:"message"`
	// Key and Value: the label or taint key and wanted value.
	Key   string `json:"key,omitempty"`
	Value string `json:"value,omitempty"`
	// NodeValue is what the node has under Key (absent: the node lacks it).
	NodeValue *string `json:"nodeValue,omitempty"`
	// Term locates a NodeAffinity requirement.
	Term *int `json:"term,omitempty"`
	// Taint is the untolerated taint.
	Taint *corev1.Taint `json:"taint,omitempty"`
	// ExistingPodMayStay: an untolerated NoSchedule taint alone keeps new
	// pods off but lets a running one continue.
	ExistingPodMayStay bool `json:"existingPodMayStay,omitempty"`
	// Resource, Needs and Free (base units: millicores, bytes, pods) for
	// InsufficientResource and TooManyPods.
	Resource string `json:"resource,omitempty"`
	Needs    *int64 `json:"needs,omitempty"`
	Free     *int64 `json:"free,omitempty"`
	// Port, Protocol, HostIP and HeldBy for HostPortConflict.
	Port     int32  `json:"port,omitempty"`
	Protocol string `json:"protocol,omitempty"`
	HostIP   string `json:"hostIP,omitempty"`
	HeldBy   string `json:"heldBy,omitempty"`
}

func controllerReason(r daemonset.Reason) reasonOut {
	out := reasonOut{Code: string(r.Kind), Message: r.Message, Key: r.Key, Value: r.Value,
		Taint: r.Taint, ExistingPodMayStay: r.ExistingPodMayStay}
	switch r.Kind {
	case daemonset.ReasonNodeSelector, daemonset.ReasonNodeAffinity:
		if r.NodeHasKey {
			v := r.NodeValue
			out.NodeValue = &v
		}
	}
	if r.Kind == daemonset.ReasonNodeAffinity && r.Term >= 0 {
		t := r.Term
		out.Term = &t
	}
	if r.Taint != nil {
		out.Key, out.Value = "", "" // the taint says it
	}
	return out
}

func schedulerReason(r simulate.PendingReason) reasonOut {
	out := reasonOut{Code: string(r.Kind), Message: r.Message, Resource: string(r.Resource),
		Port: r.Port, Protocol: r.Protocol, HostIP: r.HostIP, HeldBy: r.HeldBy}
	switch r.Kind {
	case simulate.PendingInsufficientResource, simulate.PendingTooManyPods:
		needs, free := r.Needs, r.Free
		out.Needs, out.Free = &needs, &free
	}
	if r.TopologyKey != "" {
		out.Key = r.TopologyKey
		if r.TopologyValue != "" {
			v := r.TopologyValue
			out.NodeValue = &v
		}
	}
	return out
}

// reasonMessages joins the messages for a person.
func reasonMessages(rs []reasonOut) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Message
	}
	return strings.Join(parts, "; ")
}

// validationError is one field.Error of the API server's validation.
type validationError struct {
	// Field is the field path, e.g. spec.template.spec.containers[0].image.
	Field string `json:"field"`
	// Type is field.ErrorType: FieldValueRequired, FieldValueInvalid, ….
	Type string `json:"type"`
	// Detail is the validator's explanation, without the field and value.
	Detail string `json:"detail,omitempty"`
	// Message is the whole error as kubectl prints it.
	Message string `json:"message"`
}

func validationErrors(errs field.ErrorList) []validationError {
	var out []validationError
	for _, fe := range errs {
		out = append(out, validationError{Field: fe.Field, Type: string(fe.Type), Detail: fe.Detail, Message: fe.Error()})
	}
	return out
}
