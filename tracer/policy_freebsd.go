package tracer

import "github.com/captrace/captrace/capmode"

// fbsdTable is the one place the FreeBSD backend names capmode's FreeBSD
// table; everything else goes through the fbsdPolicy interface.
func fbsdTable() fbsdPolicy { return capmode.FreeBSD() }
