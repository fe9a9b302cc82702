#pragma once

#include "filewire.h"

#include <QString>

// Received names are only names. A path from a peer is a '/'-separated list of components, each of which must be a
// plain file name on every system Pigeon's users have: not empty, not "." or "..", no '/', '\\' or ':' (so no
// absolute path, drive letter or alternate data stream), no control character (C0, DEL, C1), no Windows device name
// (CON, PRN, AUX, NUL, COM1-9, LPT1-9, CONIN$, CONOUT$, with or without an extension), no trailing dot or space,
// at most 255 UTF-8 bytes. Each function returns an empty string for an acceptable name, else the reason for the user.
namespace safename {

QString checkComponent(const QString& name);
// A relative path of components as above, at most filewire::MaxPathBytes.
QString checkPath(const QString& path);
// A whole manifest: every path acceptable, all under `root` (the offer's name, itself one component), every
// folder listed before what it holds, no name twice (also not differing in case only, which would collide on
// Windows and macOS).
QString checkManifest(const QString& root, const QList<filewire::Entry>& entries);

} // namespace safename
