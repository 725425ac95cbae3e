/* SPDX-License-Identifier: Apache-2.0 */
/* MirageOS's default solo5 manifest: NIC "service", disk "storage". */
#define MANIFEST "net:service block:storage"
#include "solo5-note.S"
