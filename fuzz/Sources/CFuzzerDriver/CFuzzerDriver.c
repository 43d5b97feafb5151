// The declaration in include/CFuzzerDriver.h is all this module holds; libFuzzer itself comes
// with -sanitize=fuzzer.
#include "CFuzzerDriver.h"
