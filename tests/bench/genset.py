#!/usr/bin/env python3
"""genset.py N [NAMESPACES]: prints a manifest set of N workloads to stdout.

Each workload comes with a Service, a PodDisruptionBudget and (every other
one) an HPA, all in one of NAMESPACES namespaces (default 10), with labels
shared across workloads so that selectors have real work to do: every
Service and PDB selects exactly its own workload by two labels, one of which
(`tier`) is common to a tenth of the set.  Some objects are deliberately
wrong so that every set rule has findings to report.
"""
import sys

def main():
    n = int(sys.argv[1])
    nss = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    out = []
    w = out.append
    for i in range(n):
        ns = f"team-{i % nss}"
        app = f"app-{i}"
        tier = f"tier-{i % 10}"
        replicas = 1 if i % 7 == 0 else 3
        w(f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {ns}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {app}, tier: {tier}}}
  {"strategy: {rollingUpdate: {maxUnavailable: 1}}" if i % 22 == 11 else ""}
  template:
    metadata:
      labels: {{app: {app}, tier: {tier}}}
    spec:
      terminationGracePeriodSeconds: 45
      containers:
      - name: main
        image: example/{app}:1
        ports:
        - {{name: http, containerPort: 8080}}
        readinessProbe:
          httpGet: {{path: /ready, port: http}}
        livenessProbe:
          httpGet: {{path: /healthz, port: http}}
          failureThreshold: 6
        lifecycle:
          preStop:
            exec: {{command: ["sleep", "10"]}}
---
apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: {ns}
spec:
  type: {"LoadBalancer" if i % 11 == 0 else "ClusterIP"}
  {"externalTrafficPolicy: Local" if i % 11 == 0 else ""}
  selector: {{app: {app}, tier: {tier}}}
  ports:
  - port: 80
    targetPort: {"http" if i % 13 else "web"}
""")
        if i % 5:
            w(f"""---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {app}
  namespace: {ns}
spec:
  {"minAvailable: 3" if i % 17 == 0 else "maxUnavailable: 1"}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels: {{app: {app}{", tier: x" if i % 19 == 0 else ""}}}
""")
        if i % 2 == 0:
            w(f"""---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
  namespace: {ns}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {app}}}
  minReplicas: {2 if i % 3 else 1}
  maxReplicas: 10
""")
    sys.stdout.write("".join(out))

if __name__ == "__main__":
    main()
