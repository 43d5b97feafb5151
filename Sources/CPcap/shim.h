// libpcap's API for Swift (Debian package libpcap-dev).
#include <pcap/pcap.h>
