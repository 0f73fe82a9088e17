// TCP ports on this machine: finding free ones for servers we start, and checking one.
#pragma once

#include "common/status.h"

namespace landslide::os {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0 and ask).
Result<int> FindFreePort();
// True if nothing listens on 127.0.0.1:port and we could bind it.
bool PortIsFree(int port);
// A --base-port P for which P .. P+49 are all free on 127.0.0.1 right now (for `landslide up`).
Result<int> FindFreeBasePort();

}  // namespace landslide::os
