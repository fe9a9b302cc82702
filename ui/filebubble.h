#pragma once

#include "transfers.h"

#include <QCoreApplication>
#include <QIcon>
#include <QImage>
#include <QList>
#include <QRect>

class QPainter;

// What a file, folder or picture offered in a conversation shows inside its bubble (issue 10): an icon, the name,
// the size (and number of files of a folder), a thumbnail of a picture, a status line (being prepared with how much
// is hashed, offered, waiting, moving with rate and time left, done, failed with the reason, declined, cancelled), a
// progress bar while it is hashed or moves, and the actions that apply, drawn as links. It reads only Transfers::Info,
// so transfers of any protocol show alike.
class FileBubble {
    Q_DECLARE_TR_FUNCTIONS(FileBubble)
public:
    enum class Action { None, Accept, SaveAs, Decline, Cancel, Open, ShowInFolder, View };
    // Where everything goes, relative to the bubble's content (its top left is 0,0); px.
    struct Layout {
        QRect icon;
        QRect name;
        QRect detail;
        QRect picture; // empty: no thumbnail
        QRect status;
        QRect progress; // empty unless moving
        QList<std::pair<Action, QRect>> actions;
        QSize size;
    };
    static constexpr int Width = 280;           // px, at most
    static constexpr QSize Thumbnail{240, 180}; // px, at most

    // The local file it is about: for a finished incoming transfer the saved one, for an outgoing one the offered one.
    static QString localPath(const Transfers::Info& info);
    static QString sizeText(quint64 bytes);
    // "1.2 MB", with "3 files" for a folder.
    static QString detailText(const Transfers::Info& info);
    static QString statusText(const Transfers::Info& info);
    static QString actionText(Action action);
    static QList<Action> actionsFor(const Transfers::Info& info);
    static QIcon iconFor(const Transfers::Info& info);

    // `width`: what the bubble's content may take at most; `picture`: the thumbnail's size (empty: none).
    static Layout layout(const Transfers::Info& info, const QFont& font, int width, const QSize& picture);
    // Paints at the layout's origin: `ink` for the name, `secondary` for detail and status, `link` for actions.
    static void paint(QPainter* painter, const Layout& layout, const Transfers::Info& info, const QFont& font,
                      const QColor& ink, const QColor& secondary, const QColor& link, const QImage& picture);
    static Action actionAt(const Layout& layout, const QPoint& pos);
};
