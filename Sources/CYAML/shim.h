// libyaml's API for Swift (Debian package libyaml-dev).
#include <yaml.h>
