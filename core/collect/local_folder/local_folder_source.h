// core/collect/local_folder/local_folder_source.h - `type = local`: a report copied into a folder
// of this machine (laid out as in its bucket), read without the network.
#pragma once

#include "core/collect/source_registry.h"

namespace ec {

extern const SourceType kLocalFolderSource;

} // namespace ec
