{{/*
Names. Kubernetes names are at most 63 characters; the longest suffix added
to the full name below is "-selfsigned" (11), so the full name stays at 50.
*/}}
{{- define "hitless.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 50 | trimSuffix "-" }}
{{- end }}

{{- define "hitless.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "hitless.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "hitless.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/component: admission-webhook
app.kubernetes.io/part-of: hitless
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The labels that pick this release's pods: the Deployment's selector, the
Service's, the PodDisruptionBudget's and the topology spread constraints'.
They never change across upgrades (a Deployment's selector is immutable).
*/}}
{{- define "hitless.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hitless.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hitless.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hitless.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding tls.crt, tls.key and ca.crt, in either mode. */}}
{{- define "hitless.tlsSecretName" -}}
{{- if .Values.certManager.enabled }}
{{- printf "%s-serving-cert" (include "hitless.fullname" .) }}
{{- else }}
{{- printf "%s-tls" (include "hitless.fullname" .) }}
{{- end }}
{{- end }}

{{/* The four DNS names the API server may use for the Service. */}}
{{- define "hitless.dnsNames" -}}
{{- $svc := include "hitless.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns .Values.clusterDomain) | toJson }}
{{- end }}

{{- define "hitless.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* Where the pod mounts its files. */}}
{{- define "hitless.tlsDir" -}}/etc/hitless/tls{{- end }}
{{- define "hitless.configDir" -}}/etc/hitless/config{{- end }}
