package dbtest

import "syscall"

// tmpfsMagic is the f_type statfs reports for a tmpfs (linux/magic.h).
const tmpfsMagic = 0x01021994

// memoryDir is /dev/shm when it is a writable tmpfs with minFree available.
func memoryDir() string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err != nil || st.Type != tmpfsMagic {
		return ""
	}
	if st.Bavail*uint64(st.Bsize) < minFree || syscall.Access("/dev/shm", 2 /* W_OK */) != nil {
		return ""
	}
	return "/dev/shm"
}
