package report

// Descriptor is one --suggest-rights suggestion (docs/rights.md).
type Descriptor struct {
	Pid    int    `json:"pid"`
	FD     int    `json:"fd"`
	Path   string `json:"path"`
	Opened Opened `json:"opened"`
	// Rights are CAP_* names; Ioctls the commands (when CAP_IOCTL is
	// among the rights); Fcntls CAP_FCNTL_* names (when CAP_FCNTL is).
	Rights []string `json:"rights"`
	Ioctls []uint64 `json:"ioctls"`
	Fcntls []string `json:"fcntls"`
}

// Opened is where a descriptor was opened; empty when it was inherited or
// opened where captrace could not see it.
type Opened struct {
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}
