#include "pictureviewer.h"

#include "picture.h"

#include <QFileInfo>
#include <QGuiApplication>
#include <QLabel>
#include <QPixmap>
#include <QScreen>
#include <QScrollArea>
#include <QVBoxLayout>

PictureViewer::PictureViewer(const QString& path, QWidget* parent)
    : QDialog(parent)
    , m_label(new QLabel)
{
    setWindowTitle(QFileInfo(path).fileName());
    m_label->setObjectName(QStringLiteral("picture"));
    m_label->setAlignment(Qt::AlignCenter);
    QString why;
    const QImage image = picture::read(path, {}, &why);
    const QRect screen =
        (parent && parent->screen() ? parent->screen() : QGuiApplication::primaryScreen())->availableGeometry();
    const QSize room = screen.size() * 0.85;
    if (image.isNull()) {
        m_label->setText(tr("This picture cannot be shown: %1.").arg(why));
        m_label->setWordWrap(true);
    } else {
        m_size = image.size();
        QPixmap pixmap = QPixmap::fromImage(image);
        if (pixmap.width() > room.width() || pixmap.height() > room.height())
            pixmap = pixmap.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        m_label->setPixmap(pixmap);
    }
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_label);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);
    resize(m_label->sizeHint().boundedTo(room).expandedTo(QSize(240, 160)));
}
