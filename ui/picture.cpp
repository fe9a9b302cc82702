#include "picture.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QImageReader>

namespace {

bool shownFormat(const QByteArray& format)
{
    return format == "png" || format == "jpeg" || format == "jpg" || format == "gif" || format == "webp";
}

} // namespace

namespace picture {

bool isPicture(const QString& path)
{
    const QFileInfo info(path);
    if (!info.isFile() || info.size() > MaxFileBytes)
        return false;
    return shownFormat(QImageReader::imageFormat(path));
}

QImage read(const QString& path, const QSize& bound, QString* why)
{
    const auto refuse = [why](const QString& reason) {
        if (why)
            *why = reason;
        return QImage();
    };
    const QFileInfo info(path);
    if (!info.isFile())
        return refuse(QCoreApplication::translate("picture", "the file is not there"));
    if (info.size() > MaxFileBytes)
        return refuse(QCoreApplication::translate("picture", "the file is too large to show"));
    QImageReader reader(path);
    reader.setAllocationLimit(AllocationLimitMb);
    reader.setAutoTransform(true);
    if (!shownFormat(reader.format()))
        return refuse(QCoreApplication::translate("picture", "not a picture Pigeon shows"));
    // The header's size, checked before anything is decoded.
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty())
        return refuse(QCoreApplication::translate("picture", "the picture is broken"));
    if (qint64(size.width()) * size.height() > MaxPixels)
        return refuse(QCoreApplication::translate("picture", "the picture is too large to show (%1 × %2)")
                          .arg(size.width())
                          .arg(size.height()));
    if (!bound.isEmpty() && (size.width() > bound.width() || size.height() > bound.height()))
        reader.setScaledSize(size.scaled(bound, Qt::KeepAspectRatio).expandedTo(QSize(1, 1)));
    QImage image = reader.read();
    if (image.isNull())
        return refuse(reader.errorString());
    return image;
}

} // namespace picture
