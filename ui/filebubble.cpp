#include "filebubble.h"

#include <QFileIconProvider>
#include <QFileInfo>
#include <QFontMetrics>
#include <QLocale>
#include <QMimeDatabase>
#include <QPainter>

namespace {

constexpr int IconSize = 36;
constexpr int Gap = 8;
constexpr int LinkGap = 14;

QFont smallFont(const QFont& font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() > 0 ? font.pointSizeF() * 0.82 : 8);
    return small;
}

QFont boldFont(const QFont& font)
{
    QFont bold = font;
    bold.setBold(true);
    return bold;
}

QString durationText(qint64 seconds)
{
    if (seconds < 60)
        return FileBubble::tr("%n s", nullptr, int(seconds));
    if (seconds < 3600)
        return FileBubble::tr("%n min", nullptr, int((seconds + 59) / 60));
    return FileBubble::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
}

} // namespace

QString FileBubble::localPath(const Transfers::Info& info)
{
    if (info.outgoing)
        return info.source;
    return info.state == TransferState::Done ? info.saved : QString();
}

QString FileBubble::sizeText(quint64 bytes)
{
    return QLocale().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeTraditionalFormat);
}

QString FileBubble::detailText(const Transfers::Info& info)
{
    const QString size = sizeText(info.totalBytes);
    const bool folder = info.files != 1 || (info.outgoing && QFileInfo(info.source).isDir());
    if (!folder)
        return size;
    return info.files == 1 ? tr("%1 · 1 file").arg(size) : tr("%1 · %2 files").arg(size).arg(info.files);
}

QString FileBubble::statusText(const Transfers::Info& info)
{
    switch (info.state) {
    case TransferState::Preparing:
        if (info.totalBytes == 0)
            return tr("Preparing the offer…");
        return tr("Preparing the offer: hashing %1 %").arg(int(info.doneBytes * 100 / info.totalBytes));
    case TransferState::Offered:
        return info.outgoing ? tr("Waiting for %1 to accept").arg(info.peer) : tr("Offered to you");
    case TransferState::Moving: {
        if (info.doneBytes == 0 && info.bytesPerSecond <= 0)
            return info.outgoing ? tr("Accepted, starting…") : tr("Waiting for the first bytes…");
        QString text = tr("%1 of %2").arg(sizeText(info.doneBytes), sizeText(info.totalBytes));
        if (info.bytesPerSecond > 0) {
            const auto left = qint64((info.totalBytes - info.doneBytes) / info.bytesPerSecond) + 1;
            text += QStringLiteral(" · ") + tr("%1/s").arg(sizeText(quint64(info.bytesPerSecond))) +
                    QStringLiteral(" · ") + tr("%1 left").arg(durationText(left));
        }
        return text;
    }
    case TransferState::Done:
        return info.outgoing ? tr("Sent") : tr("Saved in %1").arg(QFileInfo(info.saved).absolutePath());
    case TransferState::Failed: return info.error.isEmpty() ? tr("Failed") : tr("Failed: %1").arg(info.error);
    case TransferState::Declined: return info.outgoing ? tr("%1 declined it").arg(info.peer) : tr("Declined");
    case TransferState::Cancelled: return info.error.isEmpty() ? tr("Cancelled") : tr("Cancelled: %1").arg(info.error);
    }
    return {};
}

QString FileBubble::actionText(Action action)
{
    switch (action) {
    case Action::Accept: return tr("Accept");
    case Action::SaveAs: return tr("Save as…");
    case Action::Decline: return tr("Decline");
    case Action::Cancel: return tr("Cancel");
    case Action::Open: return tr("Open");
    case Action::ShowInFolder: return tr("Show in folder");
    case Action::View:
    case Action::None: break;
    }
    return {};
}

QList<FileBubble::Action> FileBubble::actionsFor(const Transfers::Info& info)
{
    switch (info.state) {
    case TransferState::Offered:
        return info.outgoing ? QList<Action>{Action::Cancel}
                             : QList<Action>{Action::Accept, Action::SaveAs, Action::Decline};
    case TransferState::Preparing:
    case TransferState::Moving: return {Action::Cancel};
    case TransferState::Done:
        if (QFileInfo::exists(localPath(info)))
            return {Action::Open, Action::ShowInFolder};
        return {};
    default: return {};
    }
}

QIcon FileBubble::iconFor(const Transfers::Info& info)
{
    static const QFileIconProvider provider;
    const QString local = localPath(info);
    if (!local.isEmpty() && QFileInfo::exists(local))
        return provider.icon(QFileInfo(local));
    if (info.files != 1)
        return provider.icon(QAbstractFileIconProvider::Folder);
    // Not on this disk yet: the type its name says.
    const QMimeType type = QMimeDatabase().mimeTypeForFile(info.name, QMimeDatabase::MatchExtension);
    return QIcon::fromTheme(type.iconName(),
                            QIcon::fromTheme(type.genericIconName(), provider.icon(QAbstractFileIconProvider::File)));
}

FileBubble::Layout FileBubble::layout(const Transfers::Info& info, const QFont& font, int width, const QSize& picture)
{
    Layout l;
    const int w = qMin(width, Width);
    const QFontMetrics bold(boldFont(font));
    const QFontMetrics small(smallFont(font));
    l.icon = QRect(0, 0, IconSize, IconSize);
    const int textLeft = IconSize + Gap;
    l.name = QRect(textLeft, 0, w - textLeft, bold.height());
    l.detail = QRect(textLeft, l.name.bottom() + 2, w - textLeft, small.height());
    int y = qMax(l.icon.bottom(), l.detail.bottom()) + 1 + Gap;
    if (!picture.isEmpty()) {
        const QSize shown = picture.scaled(QSize(w, Thumbnail.height()), Qt::KeepAspectRatio);
        l.picture = QRect(QPoint(0, y), shown.boundedTo(picture));
        y = l.picture.bottom() + 1 + Gap;
    }
    l.status = QRect(0, y, w, small.height());
    // A long reason wraps onto more lines.
    const QString status = statusText(info);
    l.status.setHeight(small.boundingRect(QRect(0, 0, w, 10'000), Qt::TextWordWrap, status).height());
    y = l.status.bottom() + 1 + 4;
    if (info.state == TransferState::Moving || info.state == TransferState::Preparing) {
        l.progress = QRect(0, y, w, 6);
        y = l.progress.bottom() + 1 + 6;
    }
    int x = 0;
    for (const Action action : actionsFor(info)) {
        const QString text = actionText(action);
        const int tw = QFontMetrics(boldFont(smallFont(font))).horizontalAdvance(text);
        if (x > 0 && x + tw > w) {
            x = 0;
            y += small.height() + 4;
        }
        l.actions.append({action, QRect(x, y, tw + 1, small.height())});
        x += tw + LinkGap;
    }
    if (!l.actions.isEmpty())
        y = l.actions.last().second.bottom() + 1;
    else
        y -= 4;
    l.size = QSize(w, y);
    return l;
}

void FileBubble::paint(QPainter* painter, const Layout& l, const Transfers::Info& info, const QFont& font,
                       const QColor& ink, const QColor& secondary, const QColor& link, const QImage& picture)
{
    painter->save();
    iconFor(info).paint(painter, l.icon);
    painter->setFont(boldFont(font));
    painter->setPen(ink);
    painter->drawText(l.name, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(boldFont(font)).elidedText(info.name, Qt::ElideMiddle, l.name.width()));
    const QFont small = smallFont(font);
    painter->setFont(small);
    painter->setPen(secondary);
    painter->drawText(l.detail, Qt::AlignLeft | Qt::AlignVCenter, detailText(info));
    if (!l.picture.isEmpty() && !picture.isNull())
        painter->drawImage(l.picture, picture);
    const bool bad = info.state == TransferState::Failed;
    painter->setPen(bad ? QColor(0xe5, 0x39, 0x35) : secondary);
    painter->drawText(l.status, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, statusText(info));
    if (!l.progress.isEmpty()) {
        painter->setPen(Qt::NoPen);
        QColor track = secondary;
        track.setAlphaF(0.3f);
        painter->setBrush(track);
        painter->drawRoundedRect(l.progress, 3, 3);
        const double part = info.totalBytes ? double(info.doneBytes) / double(info.totalBytes) : 0;
        QRect done = l.progress;
        done.setWidth(int(l.progress.width() * std::clamp(part, 0.0, 1.0)));
        painter->setBrush(link);
        if (done.width() > 0)
            painter->drawRoundedRect(done, 3, 3);
    }
    QFont linkFont = boldFont(small);
    linkFont.setUnderline(true);
    painter->setFont(linkFont);
    painter->setPen(link);
    for (const auto& [action, rect] : l.actions)
        painter->drawText(rect, Qt::AlignLeft | Qt::AlignVCenter, actionText(action));
    painter->restore();
}

FileBubble::Action FileBubble::actionAt(const Layout& layout, const QPoint& pos)
{
    for (const auto& [action, rect] : layout.actions)
        if (rect.contains(pos))
            return action;
    if (layout.picture.contains(pos))
        return Action::View;
    return Action::None;
}
