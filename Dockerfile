# Lifeline server image. Build: docker build -t lifeline .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/lifeline-iot/lifeline/internal/cli.Version=${VERSION}" \
      -o /out/lifeline ./cmd/lifeline

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lifeline /usr/local/bin/lifeline
# SQLite data lives here when no PostgreSQL URL is given.
VOLUME /data
ENV LIFELINE_DATA=/data \
    LIFELINE_ADDR=:8080 \
    LIFELINE_LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/lifeline"]
CMD ["serve"]
