package capmode

// Argument formats for Decode, by syscall name. Only calls with argument
// rules or that commonly violate are listed; the rest print in hex. Each
// OS's map is built once, with its abi (linuxABI, freebsdABI), not at
// package initialisation (start-up, issue 15).

func commonFormats() map[string][]ArgType {
	return map[string][]ArgType{
		"open":        {ArgPath, ArgOpenFlags, ArgMode},
		"openat":      {ArgDirFD, ArgPath, ArgOpenFlags, ArgMode},
		"access":      {ArgPath, ArgAccessMode},
		"readlink":    {ArgPath, ArgPtr, ArgUint},
		"readlinkat":  {ArgDirFD, ArgPath, ArgPtr, ArgUint},
		"mkdir":       {ArgPath, ArgMode},
		"mkdirat":     {ArgDirFD, ArgPath, ArgMode},
		"mknodat":     {ArgDirFD, ArgPath, ArgMode, ArgHex},
		"unlink":      {ArgPath},
		"rmdir":       {ArgPath},
		"unlinkat":    {ArgDirFD, ArgPath, ArgAtFlags},
		"rename":      {ArgPath, ArgPath},
		"renameat":    {ArgDirFD, ArgPath, ArgDirFD, ArgPath},
		"renameat2":   {ArgDirFD, ArgPath, ArgDirFD, ArgPath, ArgHex},
		"link":        {ArgPath, ArgPath},
		"linkat":      {ArgDirFD, ArgPath, ArgDirFD, ArgPath, ArgAtFlags},
		"symlink":     {ArgPath, ArgPath},
		"symlinkat":   {ArgPath, ArgDirFD, ArgPath},
		"chmod":       {ArgPath, ArgMode},
		"chown":       {ArgPath, ArgInt, ArgInt},
		"lchown":      {ArgPath, ArgInt, ArgInt},
		"fchownat":    {ArgDirFD, ArgPath, ArgInt, ArgInt, ArgAtFlags},
		"futimesat":   {ArgDirFD, ArgPath, ArgPtr},
		"utimensat":   {ArgDirFD, ArgPath, ArgPtr, ArgAtFlags},
		"utimes":      {ArgPath, ArgPtr},
		"truncate":    {ArgPath, ArgInt},
		"chdir":       {ArgPath},
		"fchdir":      {ArgFD},
		"chroot":      {ArgPath},
		"acct":        {ArgPath},
		"statfs":      {ArgPath, ArgPtr},
		"execve":      {ArgPath, ArgStringArray, ArgPtr},
		"connect":     {ArgFD, ArgSockaddr, ArgUint},
		"bind":        {ArgFD, ArgSockaddr, ArgUint},
		"sendto":      {ArgFD, ArgPtr, ArgUint, ArgHex, ArgSockaddr, ArgUint},
		"sendmsg":     {ArgFD, ArgMsghdr, ArgHex},
		"kill":        {ArgPid, ArgSignal},
		"getpgid":     {ArgPid},
		"getsid":      {ArgPid},
		"setpgid":     {ArgPid, ArgPid},
		"ptrace":      {ArgInt, ArgPid, ArgPtr, ArgPtr},
		"wait4":       {ArgPid, ArgPtr, ArgHex, ArgPtr},
		"close":       {ArgFD},
		"read":        {ArgFD, ArgPtr, ArgUint},
		"write":       {ArgFD, ArgPtr, ArgUint},
		"socket":      {ArgInt, ArgHex, ArgInt},
		"getpriority": {ArgInt, ArgInt},
		"setpriority": {ArgInt, ArgInt, ArgInt},
	}
}

func linuxFormats() map[string][]ArgType {
	return withFormats(commonFormats(), map[string][]ArgType{
		"creat":             {ArgPath, ArgMode},
		"openat2":           {ArgDirFD, ArgPath, ArgOpenHow, ArgUint},
		"stat":              {ArgPath, ArgPtr},
		"lstat":             {ArgPath, ArgPtr},
		"fstat":             {ArgFD, ArgPtr},
		"newfstatat":        {ArgDirFD, ArgPath, ArgPtr, ArgAtFlags},
		"statx":             {ArgDirFD, ArgPath, ArgAtFlags, ArgHex, ArgPtr},
		"faccessat":         {ArgDirFD, ArgPath, ArgAccessMode},
		"faccessat2":        {ArgDirFD, ArgPath, ArgAccessMode, ArgAccessAtFlags},
		"fchmodat":          {ArgDirFD, ArgPath, ArgMode},
		"fchmodat2":         {ArgDirFD, ArgPath, ArgMode, ArgAtFlags},
		"mknod":             {ArgPath, ArgMode, ArgHex},
		"utime":             {ArgPath, ArgPtr},
		"execveat":          {ArgDirFD, ArgPath, ArgStringArray, ArgPtr, ArgAtFlags},
		"sendmmsg":          {ArgFD, ArgPtr, ArgUint, ArgHex},
		"tkill":             {ArgPid, ArgSignal},
		"tgkill":            {ArgPid, ArgPid, ArgSignal},
		"rt_sigqueueinfo":   {ArgPid, ArgSignal, ArgPtr},
		"rt_tgsigqueueinfo": {ArgPid, ArgPid, ArgSignal, ArgPtr},
		"pidfd_send_signal": {ArgFD, ArgSignal, ArgPtr, ArgHex},
		"prlimit64":         {ArgPid, ArgInt, ArgPtr, ArgPtr},
		"sched_setaffinity": {ArgPid, ArgUint, ArgPtr},
		"sched_getaffinity": {ArgPid, ArgUint, ArgPtr},
		"waitid":            {ArgInt, ArgInt, ArgPtr, ArgHex, ArgPtr},
		"inotify_add_watch": {ArgFD, ArgPath, ArgHex},
		"getxattr":          {ArgPath, ArgPath, ArgPtr, ArgUint},
		"lgetxattr":         {ArgPath, ArgPath, ArgPtr, ArgUint},
		"setxattr":          {ArgPath, ArgPath, ArgPtr, ArgUint, ArgHex},
		"listxattr":         {ArgPath, ArgPtr, ArgUint},
		"mount":             {ArgPath, ArgPath, ArgPath, ArgHex, ArgPtr},
		"umount2":           {ArgPath, ArgHex},
		"getcwd":            {ArgPtr, ArgUint},
		"clone":             {ArgHex, ArgPtr, ArgPtr, ArgPtr, ArgHex},
		"clone3":            {ArgPtr, ArgUint},
		"prctl":             {ArgInt, ArgHex, ArgHex, ArgHex, ArgHex},
		"name_to_handle_at": {ArgDirFD, ArgPath, ArgPtr, ArgPtr, ArgAtFlags},
		"open_tree":         {ArgDirFD, ArgPath, ArgHex},
		"swapon":            {ArgPath, ArgHex},
		"swapoff":           {ArgPath},
		"pivot_root":        {ArgPath, ArgPath},
		"getxattrat":        {ArgDirFD, ArgPath, ArgAtFlags, ArgPath, ArgPtr, ArgUint},
		"setxattrat":        {ArgDirFD, ArgPath, ArgAtFlags, ArgPath, ArgPtr, ArgUint},
		"listxattrat":       {ArgDirFD, ArgPath, ArgAtFlags, ArgPtr, ArgUint},
		"removexattrat":     {ArgDirFD, ArgPath, ArgAtFlags, ArgPath},
		"file_getattr":      {ArgDirFD, ArgPath, ArgPtr, ArgUint, ArgAtFlags},
		"file_setattr":      {ArgDirFD, ArgPath, ArgPtr, ArgUint, ArgAtFlags},
	})
}

func freebsdFormats() map[string][]ArgType {
	return withFormats(commonFormats(), map[string][]ArgType{
		"fstatat":              {ArgDirFD, ArgPath, ArgPtr, ArgAtFlags},
		"freebsd11_fstatat":    {ArgDirFD, ArgPath, ArgPtr, ArgAtFlags},
		"faccessat":            {ArgDirFD, ArgPath, ArgAccessMode, ArgAccessAtFlags},
		"fchmodat":             {ArgDirFD, ArgPath, ArgMode, ArgAtFlags},
		"mkfifoat":             {ArgDirFD, ArgPath, ArgMode},
		"freebsd11_mknodat":    {ArgDirFD, ArgPath, ArgMode, ArgHex},
		"funlinkat":            {ArgDirFD, ArgPath, ArgFD, ArgAtFlags},
		"chflagsat":            {ArgDirFD, ArgPath, ArgHex, ArgAtFlags},
		"fexecve":              {ArgFD, ArgStringArray, ArgPtr},
		"bindat":               {ArgDirFD, ArgFD, ArgSockaddr, ArgUint},
		"connectat":            {ArgDirFD, ArgFD, ArgSockaddr, ArgUint},
		"osendmsg":             {ArgFD, ArgMsghdr, ArgHex},
		"sigqueue":             {ArgPid, ArgSignal, ArgPtr},
		"thr_kill":             {ArgInt, ArgSignal},
		"thr_kill2":            {ArgPid, ArgInt, ArgSignal},
		"pdkill":               {ArgFD, ArgSignal},
		"inotify_add_watch_at": {ArgFD, ArgDirFD, ArgPath, ArgHex},
		"freebsd11_stat":       {ArgPath, ArgPtr},
		"freebsd11_lstat":      {ArgPath, ArgPtr},
		"eaccess":              {ArgPath, ArgAccessMode},
		"__realpathat":         {ArgDirFD, ArgPath, ArgPtr, ArgUint, ArgAtFlags},
		"mkfifo":               {ArgPath, ArgMode},
		"unmount":              {ArgPath, ArgHex},
		"wait6":                {ArgInt, ArgInt, ArgPtr, ArgHex, ArgPtr, ArgPtr},
	})
}

func withFormats(base, extra map[string][]ArgType) map[string][]ArgType {
	m := make(map[string][]ArgType, len(base)+len(extra))
	for k, v := range base {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}
