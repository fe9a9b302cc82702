#pragma once

#include <QImage>
#include <QSize>
#include <QString>

// Pictures received or sent as files (issue 10), decoded safely for showing: only PNG, JPEG, GIF and WebP (when Qt's
// image plugins read it), files of at most MaxFileBytes, images of at most MaxPixels as their header declares, and
// the decoder bounded by QImageReader::setAllocationLimit, so a decompression bomb (a small file declaring a huge
// image) is refused before anything is allocated for it.
namespace picture {

constexpr qint64 MaxFileBytes = 32ll << 20;
constexpr qint64 MaxPixels = 40'000'000;
constexpr int AllocationLimitMb = 256;

// Whether `path` holds one of the formats above (by its content, not its name).
bool isPicture(const QString& path);
// The picture at `path`, scaled (keeping its aspect ratio) to fit `bound` when it is larger; an empty bound: full
// size. A null image with *why when it is no picture, too large, or broken.
QImage read(const QString& path, const QSize& bound, QString* why = nullptr);

} // namespace picture
