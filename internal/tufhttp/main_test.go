package tufhttp_test

import (
	"os"
	"testing"

	"github.com/lifeline-iot/lifeline/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
