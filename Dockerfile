# Build: a static binary, no cgo.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/redaktor ./cmd/redaktor

# Run: distroless static (CA certificates for api.telegram.org, no shell),
# as a non-root user. Time zones are compiled into the binary (time/tzdata).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/redaktor /redaktor
USER nonroot:nonroot
ENTRYPOINT ["/redaktor"]
