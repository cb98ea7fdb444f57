package server

// HoldRecounts takes every recount slot of the /verify page, as uploads being recounted
// would, until the returned function gives them back.
func HoldRecounts() (release func()) {
	for range cap(recounts) {
		recounts <- struct{}{}
	}
	return func() {
		for range cap(recounts) {
			<-recounts
		}
	}
}

// MaxVerifyUpload is the largest bundle the /verify page takes.
const MaxVerifyUpload = maxVerifyUpload
