# hitless in a container: the linter and the admission webhook.
#
#   docker build -t hitless .
#   docker run --rm -v "$PWD:/src:ro" -w /src hitless lint deploy/
#   helm template x ./chart | docker run --rm -i hitless lint -
#
# The build stage is `make install`; the runtime stage holds that binary, the
# shared libraries it loads (`make runtime-libs`: those it links, found with
# ldd, and those the webhook opens at run time, with theirs) and the dynamic
# loader: no shell, no package manager, nothing to patch but hitless and its
# libraries.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential pkg-config libyaml-dev libcjson-dev libmicrohttpd-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN make install DESTDIR=/out PREFIX=/usr/local \
 && rm -rf /out/usr/local/share
# Every shared object `make runtime-libs` names, copied to the same path
# under /out, symlinks resolved.
RUN set -eu; \
    for lib in $(make -s runtime-libs); do \
        mkdir -p "/out$(dirname "$lib")"; \
        cp -L "$lib" "/out$lib"; \
    done; \
    mkdir -p /out/etc; \
    echo 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' >/out/etc/passwd; \
    echo 'nonroot:x:65532:' >/out/etc/group

FROM scratch
COPY --from=build /out/ /
USER 65532:65532
# The webhook's default HTTPS port (hitless webhook --port).
EXPOSE 8443
ENTRYPOINT ["/usr/local/bin/hitless"]
CMD ["--help"]
