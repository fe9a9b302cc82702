<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>BubbleDelegate</name>
        <message>
            <source>Waiting for the contact to come online</source>
            <translation>等待对方上线</translation>
        </message>
        <message>
            <source>Sending…</source>
            <translation>发送中…</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>已发送</translation>
        </message>
        <message>
            <source>Delivered ✓</source>
            <translation>已送达 ✓</translation>
        </message>
        <message>
            <source>Read ✓✓</source>
            <translation>已读 ✓✓</translation>
        </message>
        <message>
            <source>Not delivered</source>
            <translation>未送达</translation>
        </message>
        <message>
            <source>Today</source>
            <translation>今天</translation>
        </message>
        <message>
            <source>Yesterday</source>
            <translation>昨天</translation>
        </message>
        <message>
            <source>Retry</source>
            <translation>重试</translation>
        </message>
        <message>
            <source>Select text and press Ctrl+C to copy; Esc closes.</source>
            <translation>选中文字后按 Ctrl+C 复制；按 Esc 关闭。</translation>
        </message>
        <message>
            <source>automatic answer</source>
            <translation>自动回复</translation>
        </message>
        <message>
            <source>Waiting to be sent</source>
            <translation>等待发送</translation>
        </message>
    </context>
    <context>
        <name>ComposeEdit</name>
        <message>
            <source>Write a message. Enter sends, Shift+Enter starts a new line.</source>
            <translation>输入消息。Enter 发送，Shift+Enter 换行。</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>消息</translation>
        </message>
    </context>
    <context>
        <name>ContactBook</name>
        <message>
            <source>The contact "%1" has this address and port already.</source>
            <translation>联系人“%1”已使用这个地址和端口。</translation>
        </message>
        <message>
            <source>The name is empty.</source>
            <translation>名称为空。</translation>
        </message>
        <message>
            <source>The name is longer than %1 characters.</source>
            <translation>名称超过 %1 个字符。</translation>
        </message>
        <message>
            <source>The name may not contain ':', '[' or ']'.</source>
            <translation>名称不能包含 “:”、“[” 或 “]”。</translation>
        </message>
        <message>
            <source>There is already a contact named "%1".</source>
            <translation>已有名为“%1”的联系人。</translation>
        </message>
        <message>
            <source>The host is empty.</source>
            <translation>主机为空。</translation>
        </message>
        <message>
            <source>"%1" is not an IP address or a host name.</source>
            <translation>“%1”不是 IP 地址或主机名。</translation>
        </message>
        <message>
            <source>The port must be from 1 to 65535.</source>
            <translation>端口必须在 1 到 65535 之间。</translation>
        </message>
        <message>
            <source>There is no contact named "%1".</source>
            <translation>没有名为“%1”的联系人。</translation>
        </message>
        <message>
            <source>Plain text</source>
            <translation>纯文本</translation>
        </message>
        <message>
            <source>IP Messenger</source>
            <translation>飞鸽传书 (IPMsg)</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Host</source>
            <translation>主机</translation>
        </message>
        <message>
            <source>Port</source>
            <translation>端口</translation>
        </message>
        <message>
            <source>Protocol</source>
            <translation>协议</translation>
        </message>
        <message>
            <source>Encoding</source>
            <translation>编码</translation>
        </message>
        <message>
            <source>line %1: %2</source>
            <translation>第 %1 行：%2</translation>
        </message>
        <message>
            <source>the file is not UTF-8 text</source>
            <translation>文件不是 UTF-8 文本</translation>
        </message>
        <message>
            <source>contact "%1" has no host</source>
            <translation>联系人“%1”没有主机</translation>
        </message>
        <message>
            <source>a section header must look like [Name]</source>
            <translation>节标题必须形如 [名称]</translation>
        </message>
        <message>
            <source>the contact name is empty</source>
            <translation>联系人名称为空</translation>
        </message>
        <message>
            <source>the name "%1" is used twice</source>
            <translation>名称“%1”出现了两次</translation>
        </message>
        <message>
            <source>expected key = value, got "%1"</source>
            <translation>应为 键 = 值，实际为“%1”</translation>
        </message>
        <message>
            <source>"%1" comes before any [Name] section</source>
            <translation>“%1”出现在任何 [名称] 节之前</translation>
        </message>
        <message>
            <source>port must be a number from 1 to 65535, got "%1"</source>
            <translation>端口必须是 1 到 65535 之间的数字，实际为“%1”</translation>
        </message>
        <message>
            <source>protocol must be ipmsg or plain, got "%1"</source>
            <translation>协议必须是 ipmsg 或 plain，实际为“%1”</translation>
        </message>
        <message>
            <source>unknown key "%1"</source>
            <translation>未知的键“%1”</translation>
        </message>
        <message>
            <source>contact "%1": %2</source>
            <translation>联系人“%1”：%2</translation>
        </message>
        <message>
            <source>cannot read the contacts file %1: %2</source>
            <translation>无法读取联系人文件 %1：%2</translation>
        </message>
        <message>
            <source>the contacts file %1 is larger than 16 MiB; is it the right file?</source>
            <translation>联系人文件 %1 大于 16 MiB；是正确的文件吗？</translation>
        </message>
        <message>
            <source>the contacts file %1 is broken, %2. It was left as it is; fix it and restart Pigeon, until then contacts cannot be changed</source>
            <translation>联系人文件 %1 已损坏，%2。文件保持原样；请修复后重新启动信鸽，在此之前无法修改联系人</translation>
        </message>
        <message>
            <source>only part of it could be written (is the disk full?)</source>
            <translation>只写入了一部分（磁盘已满？）</translation>
        </message>
        <message>
            <source>cannot write the contacts file %1: %2; it was left as it was</source>
            <translation>无法写入联系人文件 %1：%2；文件保持原样</translation>
        </message>
        <message>
            <source>encoding must be auto, utf-8, gbk or cp932, got "%1"</source>
            <translation>编码必须是 auto、utf-8、gbk 或 cp932，实际为“%1”</translation>
        </message>
        <message>
            <source>Automatic</source>
            <translation>自动</translation>
        </message>
        <message>
            <source>%1 is not an IPv4 address: it needs four numbers from 0 to 255, such as 192.168.1.20.</source>
            <translation>%1 不是 IPv4 地址：需要四个 0 到 255 之间的数字，例如 192.168.1.20。</translation>
        </message>
    </context>
    <context>
        <name>ContactDialog</name>
        <message>
            <source>%1 is this Pigeon itself: it cannot be a contact.</source>
            <translation>%1 是这个 Pigeon 自己，不能作为联系人。</translation>
        </message>
        <message>
            <source>Add Contact</source>
            <translation>添加联系人</translation>
        </message>
        <message>
            <source>Edit Contact</source>
            <translation>编辑联系人</translation>
        </message>
        <message>
            <source>How you call this person</source>
            <translation>你对此人的称呼</translation>
        </message>
        <message>
            <source>IP address or host name, e.g. 192.168.1.20</source>
            <translation>IP 地址或主机名，例如 192.168.1.20</translation>
        </message>
        <message>
            <source>IP Messenger (IPMsg, FeiQ, iptux, Pigeon)</source>
            <translation>飞鸽传书协议（IPMsg、飞秋、iptux、Pigeon）</translation>
        </message>
        <message>
            <source>Plain text datagrams</source>
            <translation>纯文本数据报</translation>
        </message>
        <message>
            <source>UTF-8</source>
            <translation>UTF-8</translation>
        </message>
        <message>
            <source>GBK (FeiQ, older clients)</source>
            <translation>GBK（飞秋及较旧的客户端）</translation>
        </message>
        <message>
            <source>&amp;Name:</source>
            <translation>名称(&amp;N)：</translation>
        </message>
        <message>
            <source>&amp;Host:</source>
            <translation>主机(&amp;H)：</translation>
        </message>
        <message>
            <source>&amp;Port:</source>
            <translation>端口(&amp;P)：</translation>
        </message>
        <message>
            <source>P&amp;rotocol:</source>
            <translation>协议(&amp;R)：</translation>
        </message>
        <message>
            <source>&amp;Encoding:</source>
            <translation>编码(&amp;E)：</translation>
        </message>
        <message>
            <source>The port must be a number.</source>
            <translation>端口必须是数字。</translation>
        </message>
        <message>
            <source>The port %1 is out of range: use 1 to 65535.</source>
            <translation>端口 %1 超出范围：请使用 1 到 65535。</translation>
        </message>
        <message>
            <source>%1 is not an IPv4 address: it needs four numbers from 0 to 255, such as 192.168.1.20.</source>
            <translation>%1 不是 IPv4 地址：需要四个 0 到 255 之间的数字，例如 192.168.1.20。</translation>
        </message>
        <message>
            <source>The host name %1 does not resolve now (%2). You can add the contact; messages to it fail until the name resolves.</source>
            <translation>主机名 %1 目前无法解析（%2）。仍可添加该联系人；在名称能够解析之前，发给它的消息会发送失败。</translation>
        </message>
        <message>
            <source>Automatic (what the peer announces)</source>
            <translation>自动（按对方声明的编码）</translation>
        </message>
        <message>
            <source>Shift-JIS (CP932, Japanese IP Messenger)</source>
            <translation>Shift-JIS（CP932，日文版 IP Messenger）</translation>
        </message>
        <message>
            <source>Mark as &amp;verified</source>
            <translation>标记为已验证(&amp;V)</translation>
        </message>
        <message>
            <source>Key fingerprint:</source>
            <translation>密钥指纹：</translation>
        </message>
        <message>
            <source>not known: this contact does not encrypt, or was not heard from yet</source>
            <translation>未知：此联系人不加密，或尚未收到其消息</translation>
        </message>
        <message>
            <source>%1
Yours: %2</source>
            <translation>%1
您的：%2</translation>
        </message>
        <message>
            <source>%1
New, not trusted: %2
Yours: %3</source>
            <translation>%1
新的，未信任：%2
您的：%3</translation>
        </message>
        <message>
            <source>Compare these digits with the person, aloud or side by side; if they match, mark the contact as verified.</source>
            <translation>请与对方当面或并排核对这些数字；一致时将此联系人标记为已验证。</translation>
        </message>
    </context>
    <context>
        <name>ConversationDelegate</name>
        <message>
            <source>Yesterday</source>
            <translation>昨天</translation>
        </message>
        <message>
            <source>former contact</source>
            <translation>原联系人</translation>
        </message>
        <message>
            <source>not in contacts</source>
            <translation>不在联系人中</translation>
        </message>
        <message>
            <source>away</source>
            <translation>离开</translation>
        </message>
        <message>
            <source>busy</source>
            <translation>忙碌</translation>
        </message>
        <message>
            <source>%1: %2</source>
            <comment>status: its text</comment>
            <translation>%1：%2</translation>
        </message>
        <message>
            <source>group of %1</source>
            <translation>%1 人群组</translation>
        </message>
    </context>
    <context>
        <name>ConversationListModel</name>
        <message>
            <source>[File] %1</source>
            <comment>a conversation's last line when it was a file offer</comment>
            <translation>[文件] %1</translation>
        </message>
        <message>
            <source>%1? %2</source>
            <comment>a stranger's claimed nickname, its address</comment>
            <translation>%1？%2</translation>
        </message>
        <message>
            <source>Away</source>
            <translation>离开</translation>
        </message>
        <message>
            <source>Busy</source>
            <translation>忙碌</translation>
        </message>
    </context>
    <context>
        <name>ConversationModel</name>
        <message>
            <source>A message could not be delivered.</source>
            <translation>有一条消息未能送达。</translation>
        </message>
        <message>
            <source>%1 came online.</source>
            <translation>%1 已上线。</translation>
        </message>
        <message>
            <source>%1 went offline.</source>
            <translation>%1 已下线。</translation>
        </message>
        <message numerus="yes">
            <source>Delivered to all %n ✓</source>
            <translation>
                <numerusform>已送达全部 %n 人 ✓</numerusform>
            </translation>
        </message>
        <message>
            <source>Delivered to %1 of %2</source>
            <translation>已送达 %1/%2</translation>
        </message>
        <message>
            <source>delivered</source>
            <translation>已送达</translation>
        </message>
        <message>
            <source>not delivered</source>
            <translation>未送达</translation>
        </message>
        <message>
            <source>waiting until online</source>
            <translation>等待对方上线</translation>
        </message>
        <message>
            <source>sending</source>
            <translation>发送中</translation>
        </message>
        <message>
            <source>%1 (%2): %3</source>
            <translation>%1（%2）：%3</translation>
        </message>
        <message>
            <source>Sealed message — click to open</source>
            <translation>密封消息 — 点击打开</translation>
        </message>
    </context>
    <context>
        <name>DesktopNotifier</name>
        <message>
            <source>Open</source>
            <translation>打开</translation>
        </message>
    </context>
    <context>
        <name>Handshake</name>
        <message>
            <source>the key announcement is this Pigeon's own</source>
            <translation>该密钥公告是本信鸽自己的</translation>
        </message>
        <message>
            <source>the key announcement's signature does not match its identity key</source>
            <translation>密钥公告的签名与其身份密钥不符</translation>
        </message>
        <message>
            <source>the peer's ephemeral key is not a valid X25519 key</source>
            <translation>对方的临时密钥不是有效的 X25519 密钥</translation>
        </message>
    </context>
    <context>
        <name>History</name>
        <message>
            <source>cannot open the history database %1: %2</source>
            <translation>无法打开聊天记录数据库 %1：%2</translation>
        </message>
        <message>
            <source>the history database %1 cannot be used: %2</source>
            <translation>聊天记录数据库 %1 无法使用：%2</translation>
        </message>
        <message>
            <source>the history database %1 failed: %2</source>
            <translation>聊天记录数据库 %1 出错：%2</translation>
        </message>
        <message>
            <source>the history database %1 could not save: %2</source>
            <translation>聊天记录数据库 %1 无法保存：%2</translation>
        </message>
        <message>
            <source>there is no history database %1</source>
            <translation>历史数据库 %1 不存在</translation>
        </message>
        <message>
            <source>; `pigeon doctor` checks it</source>
            <translation>；可用 `pigeon doctor` 检查它</translation>
        </message>
        <message>
            <source>the history database %1 was written by a newer Pigeon (schema version %2; this one reads up to %3); it was left as it is</source>
            <translation>历史数据库 %1 由更新版本的 Pigeon 写入（结构版本 %2；本版本最多支持 %3）；文件保持原样</translation>
        </message>
        <message>
            <source>the history database %1 is from an older Pigeon (schema version %2): start Pigeon once on this profile to upgrade it</source>
            <translation>历史数据库 %1 来自旧版本的 Pigeon（结构版本 %2）：请先用此配置启动一次 Pigeon 以升级它</translation>
        </message>
        <message>
            <source>the history database %1 was left as it is: %2</source>
            <translation>历史数据库 %1 保持原样：%2</translation>
        </message>
        <message>
            <source>the history database %1 is damaged (%2); nothing more is written to it; `pigeon doctor` checks it</source>
            <translation>历史数据库 %1 已损坏（%2）；不再向其写入任何内容；可用 `pigeon doctor` 检查它</translation>
        </message>
        <message>
            <source>the history database %1 is open read-only</source>
            <translation>历史数据库 %1 以只读方式打开</translation>
        </message>
        <message>
            <source>%1 is not a file</source>
            <translation>%1 不是文件</translation>
        </message>
    </context>
    <context>
        <name>KeyStore</name>
        <message>
            <source>libsodium cannot start on this system (no source of randomness)</source>
            <translation>libsodium 无法在此系统上启动（没有随机数来源）</translation>
        </message>
        <message>
            <source>the profile folder %1 does not exist</source>
            <translation>配置文件夹 %1 不存在</translation>
        </message>
        <message>
            <source>the profile folder %1 is open to other users (mode %2) and cannot be made private: %3</source>
            <translation>配置文件夹 %1 对其他用户开放（权限 %2），且无法设为私有：%3</translation>
        </message>
        <message>
            <source>the profile folder %1 was open to other users (mode %2); it is now 0700</source>
            <translation>配置文件夹 %1 曾对其他用户开放（权限 %2）；现已改为 0700</translation>
        </message>
        <message>
            <source>these files of the profile were readable by other users; they are now 0600: %1</source>
            <translation>配置中的以下文件曾可被其他用户读取；现已改为 0600：%1</translation>
        </message>
        <message>
            <source>the identity key %1 is not a regular file</source>
            <translation>身份密钥 %1 不是普通文件</translation>
        </message>
        <message>
            <source>the identity key %1 belongs to another user; Pigeon will not use it</source>
            <translation>身份密钥 %1 属于其他用户；信鸽不会使用它</translation>
        </message>
        <message>
            <source>the identity key %1 is readable by other users (mode %2), who may have copied it. Run chmod 600 %1 to keep this identity, or delete the file to make a new one (your contacts will then be warned that your key changed)</source>
            <translation>身份密钥 %1 可被其他用户读取（权限 %2），可能已被复制。运行 chmod 600 %1 以保留此身份，或删除该文件以生成新身份（届时你的联系人会收到你的密钥已更改的警告）</translation>
        </message>
        <message>
            <source>cannot read the identity key %1: %2</source>
            <translation>无法读取身份密钥 %1：%2</translation>
        </message>
        <message>
            <source>the identity key %1 is damaged (%2); restore it from a backup, or delete it to make a new identity</source>
            <translation>身份密钥 %1 已损坏（%2）；请从备份恢复，或删除它以生成新身份</translation>
        </message>
        <message>
            <source>not a Pigeon identity key</source>
            <translation>不是信鸽身份密钥</translation>
        </message>
        <message>
            <source>no 32-byte seed</source>
            <translation>没有 32 字节的种子</translation>
        </message>
        <message>
            <source>no 32-byte public key</source>
            <translation>没有 32 字节的公钥</translation>
        </message>
        <message>
            <source>the seed does not give the public key</source>
            <translation>种子与公钥不符</translation>
        </message>
        <message>
            <source>cannot save the identity key %1: %2</source>
            <translation>无法保存身份密钥 %1：%2</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>online</source>
            <translation>在线</translation>
        </message>
        <message>
            <source>offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <source>presence unknown</source>
            <translation>状态未知</translation>
        </message>
        <message>
            <source>Add to Contacts</source>
            <translation>添加到联系人</translation>
        </message>
        <message>
            <source>&amp;Send</source>
            <translation>发送(&amp;S)</translation>
        </message>
        <message>
            <source>Choose Another Port…</source>
            <translation>选择其他端口…</translation>
        </message>
        <message>
            <source>Search (Ctrl+F)</source>
            <translation>搜索 (Ctrl+F)</translation>
        </message>
        <message>
            <source>Search conversations</source>
            <translation>搜索会话</translation>
        </message>
        <message>
            <source>Conversations</source>
            <translation>会话</translation>
        </message>
        <message>
            <source>Pick a conversation on the left, or add a contact with Ctrl+N.</source>
            <translation>从左侧选择一个会话，或按 Ctrl+N 添加联系人。</translation>
        </message>
        <message>
            <source>&amp;Edit Contact…</source>
            <translation>编辑联系人(&amp;E)…</translation>
        </message>
        <message>
            <source>&amp;Remove Contact…</source>
            <translation>删除联系人(&amp;R)…</translation>
        </message>
        <message>
            <source>&amp;Add to Contacts…</source>
            <translation>添加到联系人(&amp;A)…</translation>
        </message>
        <message>
            <source>&amp;Pigeon</source>
            <translation>信鸽(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;Settings…</source>
            <translation>设置(&amp;S)…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;Contacts</source>
            <translation>联系人(&amp;C)</translation>
        </message>
        <message>
            <source>&amp;Add Contact…</source>
            <translation>添加联系人(&amp;A)…</translation>
        </message>
        <message>
            <source>Add &amp;Sender to Contacts…</source>
            <translation>将发送者添加到联系人(&amp;S)…</translation>
        </message>
        <message>
            <source>&amp;Import Contacts File…</source>
            <translation>导入联系人文件(&amp;I)…</translation>
        </message>
        <message>
            <source>E&amp;xport Contacts File…</source>
            <translation>导出联系人文件(&amp;X)…</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>查看(&amp;V)</translation>
        </message>
        <message>
            <source>&amp;Find Conversation</source>
            <translation>查找会话(&amp;F)</translation>
        </message>
        <message>
            <source>&amp;Previous Conversation</source>
            <translation>上一个会话(&amp;P)</translation>
        </message>
        <message>
            <source>&amp;Next Conversation</source>
            <translation>下一个会话(&amp;N)</translation>
        </message>
        <message>
            <source>Newest &amp;Message</source>
            <translation>最新消息(&amp;M)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <source>&amp;About Pigeon</source>
            <translation>关于信鸽(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Show Pigeon</source>
            <translation>显示信鸽(&amp;S)</translation>
        </message>
        <message>
            <source>calls itself %1</source>
            <translation>自称 %1</translation>
        </message>
        <message>
            <source>not in your contacts</source>
            <translation>不在你的联系人中</translation>
        </message>
        <message>
            <source>Pigeon</source>
            <translation>信鸽</translation>
        </message>
        <message numerus="yes">
            <source>Pigeon: %n unread message(s)</source>
            <translation>
                <numerusform>信鸽：%n 条未读消息</numerusform>
            </translation>
        </message>
        <message>
            <source>Listening on %1</source>
            <translation>正在监听 %1</translation>
        </message>
        <message numerus="yes">
            <source>%n contact(s) online</source>
            <translation>
                <numerusform>%n 位联系人在线</numerusform>
            </translation>
        </message>
        <message>
            <source>Too long for one datagram to %1: %2 of %3 bytes. Shorten it to send it.</source>
            <translation>超出发给 %1 的单个数据报长度：%2 / %3 字节。请缩短后再发送。</translation>
        </message>
        <message>
            <source>Longer than one datagram to %1 carries (%2 of %3 bytes): it goes out in several parts.</source>
            <translation>超出发给 %1 的单个数据报长度（%2 / %3 字节）：将分成几部分发送。</translation>
        </message>
        <message>
            <source>Add Contact</source>
            <translation>添加联系人</translation>
        </message>
        <message>
            <source>Edit Contact</source>
            <translation>编辑联系人</translation>
        </message>
        <message>
            <source>Remove Contact</source>
            <translation>删除联系人</translation>
        </message>
        <message>
            <source>Remove %1 from your contacts?

The conversation history is kept.</source>
            <translation>要从联系人中删除 %1 吗？

聊天记录会保留。</translation>
        </message>
        <message>
            <source>Import Contacts</source>
            <translation>导入联系人</translation>
        </message>
        <message>
            <source>Contacts files (*.ini *.txt);;All files (*)</source>
            <translation>联系人文件 (*.ini *.txt);;所有文件 (*)</translation>
        </message>
        <message>
            <source>Cannot read %1: %2</source>
            <translation>无法读取 %1：%2</translation>
        </message>
        <message>
            <source>%1 is not a contacts file: %2</source>
            <translation>%1 不是联系人文件：%2</translation>
        </message>
        <message numerus="yes">
            <source>%n contact(s) imported.</source>
            <translation>
                <numerusform>已导入 %n 位联系人。</numerusform>
            </translation>
        </message>
        <message>
            <source>Not imported:</source>
            <translation>未导入：</translation>
        </message>
        <message>
            <source>Export Contacts</source>
            <translation>导出联系人</translation>
        </message>
        <message>
            <source>Contacts files (*.ini)</source>
            <translation>联系人文件 (*.ini)</translation>
        </message>
        <message>
            <source>Cannot write %1: %2</source>
            <translation>无法写入 %1：%2</translation>
        </message>
        <message>
            <source>About Pigeon</source>
            <translation>关于信鸽</translation>
        </message>
        <message>
            <source>&lt;h3&gt;Pigeon %1&lt;/h3&gt;&lt;p&gt;Chat across a LAN without any server: every message is one UDP datagram. Speaks the IP Messenger protocol (IP Messenger, FeiQ, iptux) and plain text.&lt;/p&gt;</source>
            <translation>&lt;h3&gt;信鸽 Pigeon %1&lt;/h3&gt;&lt;p&gt;无需服务器的局域网聊天：每条消息就是一个 UDP 数据报。支持飞鸽传书协议（飞鸽传书、飞秋、iptux）和纯文本。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>消息</translation>
        </message>
        <message>
            <source>&amp;Keyboard Shortcuts</source>
            <translation>键盘快捷键(&amp;K)</translation>
        </message>
        <message>
            <source>Enter / Shift+Enter</source>
            <translation>Enter / Shift+Enter</translation>
        </message>
        <message>
            <source>send / new line</source>
            <translation>发送 / 换行</translation>
        </message>
        <message>
            <source>Tab / Shift+Tab</source>
            <translation>Tab / Shift+Tab</translation>
        </message>
        <message>
            <source>next / previous control</source>
            <translation>下一个 / 上一个控件</translation>
        </message>
        <message>
            <source>Keyboard Shortcuts</source>
            <translation>键盘快捷键</translation>
        </message>
        <message numerus="yes">
            <source>%n unread</source>
            <translation>
                <numerusform>%n 条未读</numerusform>
            </translation>
        </message>
        <message>
            <source>No contacts online</source>
            <translation>没有联系人在线</translation>
        </message>
        <message>
            <source>port %1</source>
            <translation>端口 %1</translation>
        </message>
        <message>
            <source>%1 port %2</source>
            <translation>%1 的端口 %2</translation>
        </message>
        <message>
            <source>Not listening: %1 is in use by another program, probably another Pigeon, IP Messenger, FeiQ or iptux. Choose another port.</source>
            <translation>未在监听：%1 已被其他程序占用，可能是另一个 Pigeon、IP Messenger、飞秋或 iptux。请选择其他端口。</translation>
        </message>
        <message>
            <source>Not listening: %1 is not an address of this computer. Choose another address, or leave it empty.</source>
            <translation>未在监听：%1 不是本机的地址。请选择其他地址，或留空。</translation>
        </message>
        <message>
            <source>Not listening: ports below 1024 need administrator rights. Choose a port above 1024.</source>
            <translation>未在监听：1024 以下的端口需要管理员权限。请选择 1024 以上的端口。</translation>
        </message>
        <message>
            <source>Not listening on %1: %2</source>
            <translation>无法在 %1 上监听：%2</translation>
        </message>
        <message>
            <source>No conversation matches “%1”.</source>
            <translation>没有与“%1”匹配的会话。</translation>
        </message>
        <message>
            <source>away</source>
            <translation>离开</translation>
        </message>
        <message>
            <source>busy</source>
            <translation>忙碌</translation>
        </message>
        <message>
            <source>%1: %2</source>
            <comment>status: its text</comment>
            <translation>%1：%2</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>设置</translation>
        </message>
        <message>
            <source>Insert an emoji</source>
            <translation>插入表情</translation>
        </message>
        <message>
            <source>Emoji</source>
            <translation>表情</translation>
        </message>
        <message>
            <source>Search &amp;Messages…</source>
            <translation>搜索消息(&amp;M)…</translation>
        </message>
        <message>
            <source>plain text, no presence</source>
            <translation>纯文本，无在线状态</translation>
        </message>
        <message>
            <source>New &amp;Group…</source>
            <translation>新建群组(&amp;G)…</translation>
        </message>
        <message>
            <source>&amp;Leave Group</source>
            <translation>退出群组(&amp;L)</translation>
        </message>
        <message>
            <source>you</source>
            <translation>你</translation>
        </message>
        <message>
            <source>Members: %1</source>
            <translation>成员：%1</translation>
        </message>
        <message>
            <source>you left this group</source>
            <translation>你已退出此群组</translation>
        </message>
        <message>
            <source>New Group</source>
            <translation>新建群组</translation>
        </message>
        <message>
            <source>S&amp;eal</source>
            <translation>密封(&amp;E)</translation>
        </message>
        <message>
            <source>Send sealed: the receiver opens it with a click, and you are told when they do</source>
            <translation>密封发送：对方点击后才能打开，打开时你会收到通知</translation>
        </message>
        <message>
            <source>Sealed message</source>
            <translation>密封消息</translation>
        </message>
        <message>
            <source>Offers %1 (%2)</source>
            <translation>发来 %1（%2）</translation>
        </message>
        <message>
            <source>%1 offers %2: open the conversation to accept or decline it.</source>
            <translation>%1 发来 %2：打开会话即可接收或拒绝。</translation>
        </message>
    </context>
    <context>
        <name>Messenger</name>
        <message>
            <source>An empty message is not sent.</source>
            <translation>空消息不会发送。</translation>
        </message>
        <message>
            <source>There is no contact named "%1".</source>
            <translation>没有名为“%1”的联系人。</translation>
        </message>
        <message>
            <source>The address of %1 is not known yet.</source>
            <translation>还不知道 %1 的地址。</translation>
        </message>
        <message>
            <source>The message is longer than one datagram can carry (%1 bytes).</source>
            <translation>消息超出单个数据报的容量（%1 字节）。</translation>
        </message>
        <message>
            <source>The message is longer than 1 MiB.</source>
            <translation>消息超过 1 MiB。</translation>
        </message>
        <message>
            <source>Only a message that failed can be sent again.</source>
            <translation>只有发送失败的消息才能重新发送。</translation>
        </message>
        <message>
            <source>Cannot send to %1: its address is not known.</source>
            <translation>无法发送给 %1：地址未知。</translation>
        </message>
        <message>
            <source>The host name "%1" could not be resolved: %2</source>
            <translation>无法解析主机名“%1”：%2</translation>
        </message>
        <message>
            <source>%1 is offline and %2 messages already wait for them; send more when they are back.</source>
            <translation>%1 不在线，已有 %2 条消息在等待发送；请等对方上线后再发送更多消息。</translation>
        </message>
        <message>
            <source>Busy</source>
            <translation>忙碌</translation>
        </message>
        <message>
            <source>Away</source>
            <translation>离开</translation>
        </message>
        <message>
            <source>%1 is this Pigeon itself: a message to yourself is not sent.</source>
            <translation>%1 就是本 Pigeon 自己：不会给自己发送消息。</translation>
        </message>
        <message>
            <source>A group needs a name.</source>
            <translation>群组需要一个名称。</translation>
        </message>
        <message>
            <source>A group needs at least one member besides you.</source>
            <translation>群组至少需要一位除你之外的成员。</translation>
        </message>
        <message>
            <source>There is no contact named "%1" (or its address is not known yet).</source>
            <translation>没有名为“%1”的联系人（或尚不知道其地址）。</translation>
        </message>
        <message>
            <source>You made the group %1 with %2.</source>
            <translation>你创建了群组 %1，成员有 %2。</translation>
        </message>
        <message>
            <source>You are in no group named "%1"; /groups lists them.</source>
            <translation>你不在名为“%1”的群组中；/groups 可列出群组。</translation>
        </message>
        <message>
            <source>You added %1.</source>
            <translation>你添加了 %1。</translation>
        </message>
        <message>
            <source>You left the group.</source>
            <translation>你已退出该群组。</translation>
        </message>
        <message>
            <source>You left the group %1.</source>
            <translation>你已退出群组 %1。</translation>
        </message>
        <message>
            <source>No one else is in the group %1.</source>
            <translation>群组 %1 中没有其他成员。</translation>
        </message>
        <message>
            <source>An invitation to the group %1 from %2 was refused: %3</source>
            <translation>来自 %2 的群组 %1 邀请被拒绝：%3</translation>
        </message>
        <message>
            <source>%1 added you to the group %2.</source>
            <translation>%1 将你加入了群组 %2。</translation>
        </message>
        <message>
            <source>You were added again.</source>
            <translation>你被重新加入了群组。</translation>
        </message>
        <message>
            <source>%1 joined.</source>
            <translation>%1 加入了群组。</translation>
        </message>
        <message>
            <source>%1 left.</source>
            <translation>%1 退出了群组。</translation>
        </message>
        <message>
            <source>Only IP Messenger clients other than Pigeon take sealed messages.</source>
            <translation>只有 Pigeon 以外的 IP Messenger 客户端接受密封消息。</translation>
        </message>
        <message>
            <source>A group's name is at most %1 characters.</source>
            <translation>群组名称最多 %1 个字符。</translation>
        </message>
        <message>
            <source>%1 is this Pigeon itself: you are a member of your groups already.</source>
            <translation>%1 就是本 Pigeon 自己：你已经是自己群组的成员了。</translation>
        </message>
    </context>
    <context>
        <name>Pigeon</name>
        <message>
            <source>cannot create the profile folder %1</source>
            <translation>无法创建配置文件夹 %1</translation>
        </message>
        <message>
            <source>the profile folder %1 is not writable</source>
            <translation>配置文件夹 %1 不可写</translation>
        </message>
        <message>
            <source>cannot write the lock file %1 in the profile folder</source>
            <translation>无法在配置文件夹中写入锁文件 %1</translation>
        </message>
        <message>
            <source>cannot remove %1</source>
            <translation>无法删除 %1</translation>
        </message>
        <message>
            <source>cannot write %1: %2</source>
            <translation>无法写入 %1：%2</translation>
        </message>
    </context>
    <context>
        <name>PinnedKeys</name>
        <message>
            <source>line %1: %2</source>
            <translation>第 %1 行：%2</translation>
        </message>
        <message>
            <source>expected 3 or 4 tab-separated fields, found %1</source>
            <translation>应为 3 或 4 个以制表符分隔的字段，实际为 %1 个</translation>
        </message>
        <message>
            <source>empty peer name</source>
            <translation>对方名称为空</translation>
        </message>
        <message>
            <source>peer "%1" appears twice</source>
            <translation>“%1”出现了两次</translation>
        </message>
        <message>
            <source>the key is not 32 bytes of base64</source>
            <translation>密钥不是 32 字节的 base64</translation>
        </message>
        <message>
            <source>unknown flags "%1"</source>
            <translation>未知的标志“%1”</translation>
        </message>
        <message>
            <source>the pending key is not 32 bytes of base64 different from the pinned key</source>
            <translation>待确认密钥不是与已固定密钥不同的 32 字节 base64</translation>
        </message>
        <message>
            <source>cannot read the pinned keys %1: %2</source>
            <translation>无法读取已固定的密钥 %1：%2</translation>
        </message>
        <message>
            <source>the pinned keys %1 are damaged (%2); Pigeon will not guess which keys to trust: fix or delete that line</source>
            <translation>已固定的密钥 %1 已损坏（%2）；信鸽不会猜测该信任哪些密钥：请修复或删除那一行</translation>
        </message>
        <message>
            <source>cannot save the pinned keys %1: %2</source>
            <translation>无法保存已固定的密钥 %1：%2</translation>
        </message>
    </context>
    <context>
        <name>QObject</name>
        <message>
            <source>Pigeon</source>
            <translation>信鸽</translation>
        </message>
    </context>
    <context>
        <name>SecurePeers</name>
        <message>
            <source>the key announcement's signature does not match its identity key</source>
            <translation>密钥公告的签名与其身份密钥不符</translation>
        </message>
    </context>
    <context>
        <name>SettingsDialog</name>
        <message>
            <source>Settings</source>
            <translation>设置</translation>
        </message>
        <message>
            <source>The name other IP Messenger users see</source>
            <translation>其他飞鸽传书用户看到的名字</translation>
        </message>
        <message>
            <source>All addresses</source>
            <translation>所有地址</translation>
        </message>
        <message>
            <source>&amp;Nickname:</source>
            <translation>昵称(&amp;N)：</translation>
        </message>
        <message>
            <source>Listen on &amp;address:</source>
            <translation>监听地址(&amp;A)：</translation>
        </message>
        <message>
            <source>&amp;Port:</source>
            <translation>端口(&amp;P)：</translation>
        </message>
        <message>
            <source>IP Messenger, FeiQ and iptux use port 2425. A second Pigeon on this machine needs another port.</source>
            <translation>飞鸽传书、飞秋和 iptux 使用 2425 端口。本机上的第二个信鸽需要使用其他端口。</translation>
        </message>
        <message>
            <source>"%1" is not an IP address.</source>
            <translation>“%1”不是 IP 地址。</translation>
        </message>
        <message>
            <source>Announce me on the LAN (&amp;broadcast)</source>
            <translation>在局域网中广播我的上线(&amp;B)</translation>
        </message>
        <message>
            <source>Only accept messages from &amp;contacts</source>
            <translation>只接收联系人的消息(&amp;C)</translation>
        </message>
        <message>
            <source>IP Messenger users on the LAN then list you, and you them. Takes effect the next time Pigeon starts.</source>
            <translation>局域网中的飞鸽传书用户会列出你，你也会列出他们。下次启动信鸽时生效。</translation>
        </message>
        <message>
            <source>Messages from anyone else are dropped unread. Takes effect at once.</source>
            <translation>其他人的消息将被直接丢弃。立即生效。</translation>
        </message>
        <message>
            <source>Start Pigeon when I &amp;log in</source>
            <translation>登录时启动信鸽(&amp;L)</translation>
        </message>
        <message>
            <source>Start &amp;hidden in the system tray</source>
            <translation>启动时隐藏到系统托盘(&amp;H)</translation>
        </message>
        <message>
            <source>This desktop has no system tray.</source>
            <translation>此桌面没有系统托盘。</translation>
        </message>
        <message>
            <source> min</source>
            <translation> 分钟</translation>
        </message>
        <message>
            <source>never</source>
            <translation>从不</translation>
        </message>
        <message>
            <source>No automatic answer</source>
            <translation>不自动回复</translation>
        </message>
        <message>
            <source>&amp;Away after no input for:</source>
            <translation>无操作多久后设为离开(&amp;A)：</translation>
        </message>
        <message>
            <source>Automatic a&amp;nswer then:</source>
            <translation>届时自动回复(&amp;N)：</translation>
        </message>
        <message>
            <source>Accept files from contacts &amp;automatically</source>
            <translation>自动接收联系人发来的文件(&amp;A)</translation>
        </message>
        <message>
            <source> MB</source>
            <translation> MB</translation>
        </message>
        <message>
            <source>B&amp;rowse…</source>
            <translation>浏览(&amp;R)…</translation>
        </message>
        <message>
            <source>Download Folder</source>
            <translation>下载文件夹</translation>
        </message>
        <message>
            <source>Save received &amp;files in:</source>
            <translation>接收的文件保存到(&amp;F)：</translation>
        </message>
        <message>
            <source>&amp;Largest file accepted automatically:</source>
            <translation>自动接收的最大文件(&amp;L)：</translation>
        </message>
        <message>
            <source>Offers from people who are not contacts are always asked about.</source>
            <translation>非联系人发来的文件总是先询问你。</translation>
        </message>
    </context>
    <context>
        <name>StatusMenu</name>
        <message>
            <source>My status</source>
            <translation>我的状态</translation>
        </message>
        <message>
            <source>&amp;Online</source>
            <translation>在线(&amp;O)</translation>
        </message>
        <message>
            <source>&amp;Away</source>
            <translation>离开(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Busy</source>
            <translation>忙碌(&amp;B)</translation>
        </message>
        <message>
            <source>Status &amp;Message…</source>
            <translation>状态消息(&amp;M)…</translation>
        </message>
        <message>
            <source>With a message, whoever writes gets it back once as an automatic answer</source>
            <translation>设置消息后，给你发消息的人会收到一次自动回复</translation>
        </message>
        <message>
            <source>Status Message</source>
            <translation>状态消息</translation>
        </message>
        <message>
            <source>What others see next to your name; while you are away, whoever writes gets it back once:</source>
            <translation>别人在你名字旁看到的内容；你离开时，给你发消息的人会收到一次这段自动回复：</translation>
        </message>
        <message>
            <source>Away</source>
            <translation>离开</translation>
        </message>
        <message>
            <source>Busy</source>
            <translation>忙碌</translation>
        </message>
        <message>
            <source>Online</source>
            <translation>在线</translation>
        </message>
        <message>
            <source>%1: %2</source>
            <comment>status: its text</comment>
            <translation>%1：%2</translation>
        </message>
    </context>
    <context>
        <name>ThreadView</name>
        <message>
            <source>New messages ↓</source>
            <translation>新消息 ↓</translation>
        </message>
        <message>
            <source>Conversation</source>
            <translation>会话</translation>
        </message>
        <message>
            <source>&amp;Copy</source>
            <translation>复制(&amp;C)</translation>
        </message>
        <message>
            <source>&amp;Select Text…</source>
            <translation>选择文字(&amp;S)…</translation>
        </message>
        <message>
            <source>Open &amp;Link</source>
            <translation>打开链接(&amp;L)</translation>
        </message>
        <message>
            <source>Copy Link &amp;Address</source>
            <translation>复制链接地址(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;Retry</source>
            <translation>重试(&amp;R)</translation>
        </message>
    </context>
    <context>
        <name>UdpTransport</name>
        <message>
            <source>another Pigeon, IP Messenger, FeiQ or iptux is probably running there; quit it or choose another port with --port</source>
            <translation>那里可能已有另一个信鸽、飞鸽传书、飞秋或 iptux 在运行；请退出它，或用 --port 选择其他端口</translation>
        </message>
        <message>
            <source>that address does not belong to this machine; choose another with --bind</source>
            <translation>该地址不属于本机；请用 --bind 选择其他地址</translation>
        </message>
        <message>
            <source>ports below 1024 need privileges; choose another with --port</source>
            <translation>1024 以下的端口需要特权；请用 --port 选择其他端口</translation>
        </message>
        <message>
            <source>choose another address or port with --bind and --port</source>
            <translation>请用 --bind 和 --port 选择其他地址或端口</translation>
        </message>
        <message>
            <source>cannot listen on UDP %1: %2 (%3)</source>
            <translation>无法在 UDP %1 上监听：%2（%3）</translation>
        </message>
        <message>
            <source>sending to %1 failed: %2</source>
            <translation>发送到 %1 失败：%2</translation>
        </message>
    </context>
    <context>
        <name>cryptowire</name>
        <message>
            <source>sealed envelope shorter than its 49-byte overhead</source>
            <translation>密封信封短于其 49 字节的开销</translation>
        </message>
        <message>
            <source>sealed envelope of an unknown version</source>
            <translation>未知版本的密封信封</translation>
        </message>
        <message>
            <source>sealed envelope with counter 0</source>
            <translation>计数器为 0 的密封信封</translation>
        </message>
        <message>
            <source>key announcement of an unknown version</source>
            <translation>未知版本的密钥公告</translation>
        </message>
        <message>
            <source>key announcement is not 128 bytes of base64</source>
            <translation>密钥公告不是 128 字节的 base64</translation>
        </message>
    </context>
    <context>
        <name>schema</name>
        <message>
            <source>could not copy it to %1 before upgrading it: %2</source>
            <translation>升级前无法将其复制到 %1：%2</translation>
        </message>
        <message>
            <source>could not upgrade it from version %1 to %2: %3</source>
            <translation>无法将其从版本 %1 升级到 %2：%3</translation>
        </message>
        <message>
            <source> (a copy made before the upgrade is %1)</source>
            <translation>（升级前的副本为 %1）</translation>
        </message>
    </context>
    <context>
        <name>ContactSpec</name>
        <message>
            <source>A contact needs a name and a host: %1.</source>
            <translation>联系人需要名称和主机：%1。</translation>
        </message>
        <message>
            <source>"%1" is not a host: write an IPv6 address with a port as [ADDRESS]:PORT.</source>
            <translation>“%1”不是主机：带端口的 IPv6 地址请写成 [地址]:端口。</translation>
        </message>
        <message>
            <source>The port must be a number from 1 to 65535.</source>
            <translation>端口必须是 1 到 65535 之间的数字。</translation>
        </message>
        <message>
            <source>Unknown option "%1": use one of %2.</source>
            <translation>未知选项“%1”：请使用 %2 之一。</translation>
        </message>
    </context>
    <context>
        <name>UpgradeProgress</name>
        <message>
            <source>Pigeon</source>
            <translation>信鸽</translation>
        </message>
        <message>
            <source>Updating the message history to this version of Pigeon. This happens once and may take a while for a long history; nothing is lost if it is interrupted.</source>
            <translation>正在将消息记录更新到此版本的信鸽。此操作只进行一次，记录较多时可能需要一些时间；即使中断也不会丢失任何内容。</translation>
        </message>
    </context>
    <context>
        <name>EmojiPicker</name>
        <message>
            <source>Emoji</source>
            <translation>表情</translation>
        </message>
    </context>
    <context>
        <name>MessageSearch</name>
        <message>
            <source>me to %1</source>
            <translation>我发给 %1</translation>
        </message>
        <message>
            <source>Search messages (Ctrl+Shift+F)</source>
            <translation>搜索消息 (Ctrl+Shift+F)</translation>
        </message>
        <message>
            <source>Search messages</source>
            <translation>搜索消息</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>关闭</translation>
        </message>
        <message>
            <source>Back to the conversations (Esc)</source>
            <translation>返回会话列表 (Esc)</translation>
        </message>
        <message>
            <source>Messages found</source>
            <translation>找到的消息</translation>
        </message>
        <message>
            <source>No message contains “%1”.</source>
            <translation>没有包含“%1”的消息。</translation>
        </message>
    </context>
    <context>
        <name>GroupBook</name>
        <message>
            <source>the groups in %1 could not be written: %2</source>
            <translation>无法写入 %1 中的群组：%2</translation>
        </message>
        <message>
            <source>There are %1 groups already; leave some first.</source>
            <translation>已有 %1 个群组；请先退出一些。</translation>
        </message>
        <message>
            <source>group</source>
            <translation>群组</translation>
        </message>
    </context>
    <context>
        <name>GroupDialog</name>
        <message>
            <source>New Group</source>
            <translation>新建群组</translation>
        </message>
        <message>
            <source>for example: Lab 3</source>
            <translation>例如：三号实验室</translation>
        </message>
        <message>
            <source>&amp;Name:</source>
            <translation>名称(&amp;N)：</translation>
        </message>
        <message>
            <source>&amp;Members (at most %1):</source>
            <translation>成员(&amp;M)（最多 %1 人）：</translation>
        </message>
        <message>
            <source>Create</source>
            <translation>创建</translation>
        </message>
    </context>
    <context>
        <name>Roster</name>
        <message>
            <source>%1 is a member already.</source>
            <translation>%1 已是成员。</translation>
        </message>
        <message>
            <source>A group has at most %1 members.</source>
            <translation>一个群组最多 %1 位成员。</translation>
        </message>
    </context>
    <context>
        <name>QMessageBox</name>
        <message>
            <source>Key Changed</source>
            <translation>密钥已更改</translation>
        </message>
        <message>
            <source>Trust New Key</source>
            <translation>信任新密钥</translation>
        </message>
        <message>
            <source>Old fingerprint: %1
New fingerprint: %2</source>
            <translation>旧指纹：%1
新指纹：%2</translation>
        </message>
        <message>
            <source>&amp;Trust New Key</source>
            <translation>信任新密钥(&amp;T)</translation>
        </message>
        <message>
            <source>&amp;Not Now</source>
            <translation>暂不(&amp;N)</translation>
        </message>
    </context>
    <context>
        <name>SecurityNotices</name>
        <message>
            <source>WARNING: the key of %1 changed, and you had verified the old one. Someone may be pretending to be %1. Compare fingerprints with %1 in person before you accept the new key (%2); until then nothing is sent to or shown from %1.</source>
            <translation>警告：%1 的密钥已更改，而您已验证过旧密钥。可能有人在冒充 %1。请先与 %1 当面核对指纹，再接受新密钥（%2）；在此之前不会向 %1 发送任何内容，也不会显示来自 %1 的任何内容。</translation>
        </message>
        <message>
            <source>%1's key changed: verify before continuing. Nothing is sent to or shown from %1 until you accept the new key (%2).</source>
            <translation>%1 的密钥已更改：请先验证再继续。在您接受新密钥（%2）之前，不会向 %1 发送任何内容，也不会显示来自 %1 的任何内容。</translation>
        </message>
        <message numerus="yes">
            <source>Refused datagrams that were not sealed by the Pigeon they claim to come from (%n so far).</source>
            <translation>
                <numerusform>已拒绝并非由其声称来源的 Pigeon 加密封装的数据报（迄今 %n 个）。</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Refused datagrams claiming to come from %1 that were not sealed with its key: someone may be forging them (%n so far).</source>
            <translation>
                <numerusform>已拒绝声称来自 %1 但未用其密钥封装的数据报：可能有人在伪造（迄今 %n 个）。</numerusform>
            </translation>
        </message>
        <message>
            <source>key changed: not trusted</source>
            <translation>密钥已更改：未信任</translation>
        </message>
        <message>
            <source>end-to-end encrypted</source>
            <translation>端到端加密</translation>
        </message>
        <message>
            <source>not encrypted</source>
            <translation>未加密</translation>
        </message>
        <message>
            <source>end-to-end encrypted, key verified</source>
            <translation>端到端加密，密钥已验证</translation>
        </message>
    </context>
    <context>
        <name>FileActions</name>
        <message>
            <source>Send &amp;File…</source>
            <translation>发送文件(&amp;F)…</translation>
        </message>
        <message>
            <source>Send F&amp;older…</source>
            <translation>发送文件夹(&amp;O)…</translation>
        </message>
        <message>
            <source>Send files or a folder (Ctrl+O), or drop them on the conversation</source>
            <translation>发送文件或文件夹（Ctrl+O），也可以拖放到会话中</translation>
        </message>
        <message>
            <source>Send Files</source>
            <translation>发送文件</translation>
        </message>
        <message>
            <source>Send Files to %1</source>
            <translation>发送文件给 %1</translation>
        </message>
        <message>
            <source>Send a Folder to %1</source>
            <translation>发送文件夹给 %1</translation>
        </message>
        <message>
            <source>Files go to one contact at a time: open a contact's conversation first.</source>
            <translation>文件一次只能发给一个联系人：请先打开联系人的会话。</translation>
        </message>
        <message>
            <source>The pasted picture could not be saved in %1: %2</source>
            <translation>粘贴的图片无法保存到 %1：%2</translation>
        </message>
        <message>
            <source>Save %1 in</source>
            <translation>将 %1 保存到</translation>
        </message>
        <message>
            <source>%1 is a program: Pigeon shows it in its folder rather than run it.</source>
            <translation>%1 是一个程序：信鸽只打开它所在的文件夹，不会运行它。</translation>
        </message>
    </context>
    <context>
        <name>FileBubble</name>
        <message numerus="yes">
            <source>%n s</source>
            <translation>
                <numerusform>%n 秒</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n min</source>
            <translation>
                <numerusform>%n 分钟</numerusform>
            </translation>
        </message>
        <message>
            <source>%1 h %2 min</source>
            <translation>%1 小时 %2 分钟</translation>
        </message>
        <message>
            <source>%1 · 1 file</source>
            <translation>%1 · 1 个文件</translation>
        </message>
        <message>
            <source>%1 · %2 files</source>
            <translation>%1 · %2 个文件</translation>
        </message>
        <message>
            <source>Waiting for %1 to accept</source>
            <translation>等待 %1 接收</translation>
        </message>
        <message>
            <source>Offered to you</source>
            <translation>对方发来文件</translation>
        </message>
        <message>
            <source>Accepted, starting…</source>
            <translation>对方已接收，正在开始…</translation>
        </message>
        <message>
            <source>Waiting for the first bytes…</source>
            <translation>等待数据…</translation>
        </message>
        <message>
            <source>%1 of %2</source>
            <translation>%1 / %2</translation>
        </message>
        <message>
            <source>%1/s</source>
            <translation>%1/秒</translation>
        </message>
        <message>
            <source>%1 left</source>
            <translation>剩余 %1</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>已发送</translation>
        </message>
        <message>
            <source>Saved in %1</source>
            <translation>已保存到 %1</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>Failed: %1</source>
            <translation>失败：%1</translation>
        </message>
        <message>
            <source>%1 declined it</source>
            <translation>%1 拒绝了接收</translation>
        </message>
        <message>
            <source>Declined</source>
            <translation>已拒绝</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>已取消</translation>
        </message>
        <message>
            <source>Cancelled: %1</source>
            <translation>已取消：%1</translation>
        </message>
        <message>
            <source>Accept</source>
            <translation>接收</translation>
        </message>
        <message>
            <source>Save as…</source>
            <translation>另存为…</translation>
        </message>
        <message>
            <source>Decline</source>
            <translation>拒绝</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>打开</translation>
        </message>
        <message>
            <source>Show in folder</source>
            <translation>打开所在文件夹</translation>
        </message>
        <message>
            <source>Preparing the offer…</source>
            <translation>正在准备发送…</translation>
        </message>
        <message>
            <source>Preparing the offer: hashing %1 %</source>
            <translation>正在准备发送：已计算校验和 %1 %</translation>
        </message>
    </context>
    <context>
        <name>FileSink</name>
        <message>
            <source>data outside the offered files</source>
            <translation>数据超出了所提供的文件范围</translation>
        </message>
        <message>
            <source>%1: cannot be read back: %2</source>
            <translation>%1：无法读回：%2</translation>
        </message>
        <message>
            <source>%1: its SHA-256 differs from the sender's</source>
            <translation>%1：SHA-256 与发送方的不一致</translation>
        </message>
        <message>
            <source>%1: no free name for it in %2</source>
            <translation>%1：在 %2 中找不到可用的文件名</translation>
        </message>
        <message>
            <source>%1: %2 bytes arrived, the sender offered %3</source>
            <translation>%1：收到 %2 字节，发送方提供的是 %3</translation>
        </message>
    </context>
    <context>
        <name>PictureViewer</name>
        <message>
            <source>This picture cannot be shown: %1.</source>
            <translation>无法显示此图片：%1。</translation>
        </message>
    </context>
    <context>
        <name>Transfers</name>
        <message>
            <source>There is no contact named "%1".</source>
            <translation>没有名为“%1”的联系人。</translation>
        </message>
        <message>
            <source>%1 is not known to be a Pigeon: files go to Pigeons only.</source>
            <translation>未知 %1 是否为信鸽：文件只能发给信鸽。</translation>
        </message>
        <message>
            <source>%1: no such file or folder.</source>
            <translation>%1：没有这个文件或文件夹。</translation>
        </message>
        <message>
            <source>%1 cannot be sent: %2.</source>
            <translation>%1 无法发送：%2。</translation>
        </message>
        <message>
            <source>%1: %2</source>
            <translation>%1：%2</translation>
        </message>
        <message>
            <source>%1 holds more than %2 files and folders.</source>
            <translation>%1 包含超过 %2 个文件和文件夹。</translation>
        </message>
        <message>
            <source>%1 holds too many names to send at once.</source>
            <translation>%1 包含的名称太多，无法一次发送。</translation>
        </message>
        <message>
            <source>There is no waiting offer %1.</source>
            <translation>没有等待中的文件 %1。</translation>
        </message>
        <message>
            <source>The folder %1 cannot be created.</source>
            <translation>无法创建文件夹 %1。</translation>
        </message>
        <message>
            <source>%1 needs %2 bytes, and %3 has only %4 free.</source>
            <translation>%1 需要 %2 字节，而 %3 只有 %4 字节可用。</translation>
        </message>
        <message>
            <source>an empty list of files</source>
            <translation>文件列表为空</translation>
        </message>
        <message>
            <source>data outside the files</source>
            <translation>数据超出了文件范围</translation>
        </message>
        <message>
            <source>%1 changed after it was offered.</source>
            <translation>%1 在发出后被修改了。</translation>
        </message>
        <message>
            <source>the list of files differs from the offer</source>
            <translation>文件列表与所提供的不一致</translation>
        </message>
        <message>
            <source>cancelled by %1</source>
            <translation>被 %1 取消</translation>
        </message>
        <message>
            <source>the sender's file changed after it was offered</source>
            <translation>发送方的文件在发出后被修改了</translation>
        </message>
        <message>
            <source>the receiver could not save it</source>
            <translation>接收方无法保存</translation>
        </message>
        <message>
            <source>%1 no longer knows this transfer</source>
            <translation>%1 已不再记得这次传输</translation>
        </message>
        <message>
            <source>offered</source>
            <translation>待接收</translation>
        </message>
        <message>
            <source>moving</source>
            <translation>传输中</translation>
        </message>
        <message>
            <source>done</source>
            <translation>已完成</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>失败</translation>
        </message>
        <message>
            <source>declined</source>
            <translation>已拒绝</translation>
        </message>
        <message>
            <source>cancelled</source>
            <translation>已取消</translation>
        </message>
        <message>
            <source>%1 has not been heard from yet, so it is not known whether it is a Pigeon; send when it is online.</source>
            <translation>还没有收到过 %1 的消息，无法确定它是不是 Pigeon；请在它上线后再发送。</translation>
        </message>
        <message>
            <source>%1 is a symbolic link: links are not sent; send what it points to.</source>
            <translation>%1 是符号链接：链接本身不会发送；请发送它所指向的内容。</translation>
        </message>
        <message>
            <source>%1 is not a regular file or a folder (a pipe, device or socket).</source>
            <translation>%1 不是普通文件或文件夹（而是管道、设备或套接字）。</translation>
        </message>
        <message>
            <source>preparing</source>
            <translation>准备中</translation>
        </message>
    </context>
    <context>
        <name>picture</name>
        <message>
            <source>the file is not there</source>
            <translation>文件不存在</translation>
        </message>
        <message>
            <source>the file is too large to show</source>
            <translation>文件太大，无法显示</translation>
        </message>
        <message>
            <source>not a picture Pigeon shows</source>
            <translation>不是信鸽能显示的图片</translation>
        </message>
        <message>
            <source>the picture is broken</source>
            <translation>图片已损坏</translation>
        </message>
        <message>
            <source>the picture is too large to show (%1 × %2)</source>
            <translation>图片太大，无法显示（%1 × %2）</translation>
        </message>
    </context>
    <context>
        <name>safename</name>
        <message>
            <source>an empty name</source>
            <translation>名称为空</translation>
        </message>
        <message>
            <source>the name "%1" points outside its folder</source>
            <translation>名称“%1”指向了文件夹之外</translation>
        </message>
        <message>
            <source>a name longer than %1 bytes</source>
            <translation>名称超过 %1 字节</translation>
        </message>
        <message>
            <source>a name with a control character</source>
            <translation>名称含有控制字符</translation>
        </message>
        <message>
            <source>a name with a path separator</source>
            <translation>名称含有路径分隔符</translation>
        </message>
        <message>
            <source>a name with ':' (a drive letter or a data stream)</source>
            <translation>名称含有“:”（驱动器号或数据流）</translation>
        </message>
        <message>
            <source>a name that ends in a dot or a space</source>
            <translation>名称以点或空格结尾</translation>
        </message>
        <message>
            <source>the device name "%1"</source>
            <translation>设备名“%1”</translation>
        </message>
        <message>
            <source>a path longer than %1 bytes</source>
            <translation>路径超过 %1 字节</translation>
        </message>
        <message>
            <source>an absolute path</source>
            <translation>绝对路径</translation>
        </message>
        <message>
            <source>%1: outside the offered folder</source>
            <translation>%1：在所提供的文件夹之外</translation>
        </message>
        <message>
            <source>%1: listed twice</source>
            <translation>%1：重复列出</translation>
        </message>
    </context>
    <context>
        <name>IpmsgTransfers</name>
        <message>
            <source>Pigeon stopped while offering it; send it again</source>
            <translation>Pigeon 在提供它时停止了；请重新发送</translation>
        </message>
        <message>
            <source>Pigeon stopped during the folder; ask the sender to send it again</source>
            <translation>Pigeon 在接收文件夹时停止了；请让对方重新发送</translation>
        </message>
        <message>
            <source>files from %1</source>
            <translation>来自 %1 的文件</translation>
        </message>
        <message>
            <source>the offer cannot be read: %1</source>
            <translation>无法读取该文件提供：%1</translation>
        </message>
        <message>
            <source>an entry of kind %1, which Pigeon does not take</source>
            <translation>类型为 %1 的条目，Pigeon 不接收</translation>
        </message>
        <message>
            <source>withdrawn by %1</source>
            <translation>已被 %1 撤回</translation>
        </message>
        <message>
            <source>%1: no such file or folder.</source>
            <translation>%1：没有这个文件或文件夹。</translation>
        </message>
        <message>
            <source>%1 cannot be sent: %2.</source>
            <translation>%1 无法发送：%2。</translation>
        </message>
        <message>
            <source>%1 cannot be read.</source>
            <translation>%1 无法读取。</translation>
        </message>
        <message>
            <source>There is no waiting offer %1.</source>
            <translation>没有等待中的文件提供 %1。</translation>
        </message>
        <message>
            <source>The folder %1 cannot be created.</source>
            <translation>无法创建文件夹 %1。</translation>
        </message>
        <message>
            <source>%1 needs %2 bytes, and %3 has only %4 free.</source>
            <translation>%1 需要 %2 字节，而 %3 只有 %4 字节可用。</translation>
        </message>
        <message>
            <source>the sender sent more than the %1 bytes it offered</source>
            <translation>发送方发来的数据超过了它提供的 %1 字节</translation>
        </message>
        <message>
            <source>the folder stream does not start with a folder</source>
            <translation>文件夹数据流不是以文件夹开头</translation>
        </message>
        <message>
            <source>%1: %2</source>
            <translation>%1：%2</translation>
        </message>
        <message>
            <source>%1: a name twice, or too many names</source>
            <translation>%1：名称重复，或名称过多</translation>
        </message>
        <message>
            <source>the folder is larger than the free space (%1 bytes)</source>
            <translation>文件夹大于可用空间（%1 字节）</translation>
        </message>
        <message>
            <source>%1 did not send the folder</source>
            <translation>%1 没有发送该文件夹</translation>
        </message>
        <message>
            <source>the connection closed in the middle of the folder</source>
            <translation>连接在文件夹传输中途关闭</translation>
        </message>
        <message>
            <source>the connection closed after %1 of %2 bytes</source>
            <translation>连接在 %2 字节中的 %1 字节后关闭</translation>
        </message>
        <message>
            <source>Files to IP Messenger peers need TCP port %1 on %2: %3</source>
            <translation>向 IP Messenger 用户发送文件需要 %2 上的 TCP 端口 %1：%3</translation>
        </message>
        <message>
            <source>%1 cannot be read: %2</source>
            <translation>%1 无法读取：%2</translation>
        </message>
        <message>
            <source>%1 changed after it was offered.</source>
            <translation>%1 在提供之后被修改了。</translation>
        </message>
    </context>
    <context>
        <name>ipmsgfiles</name>
        <message>
            <source>more than %1 files in one offer</source>
            <translation>一次提供中超过 %1 个文件</translation>
        </message>
        <message>
            <source>a file number that is no number</source>
            <translation>文件编号不是数字</translation>
        </message>
        <message>
            <source>a file name that is empty, too long or not ended</source>
            <translation>文件名为空、过长或没有结束</translation>
        </message>
        <message>
            <source>a file entry without a valid size, time or kind</source>
            <translation>文件条目缺少有效的大小、时间或类型</translation>
        </message>
        <message>
            <source>an empty list of files</source>
            <translation>空的文件列表</translation>
        </message>
        <message>
            <source>a file request that is not packetNo:fileID:offset</source>
            <translation>文件请求的格式不是 packetNo:fileID:offset</translation>
        </message>
        <message>
            <source>a folder header without its size</source>
            <translation>文件夹头部缺少其大小</translation>
        </message>
        <message>
            <source>a folder header whose size is no number, too small or over %1 bytes</source>
            <translation>文件夹头部的大小不是数字、太小或超过 %1 字节</translation>
        </message>
        <message>
            <source>a folder header that does not end where its size says</source>
            <translation>文件夹头部没有在其大小所指的位置结束</translation>
        </message>
        <message>
            <source>a folder header whose name is empty or too long</source>
            <translation>文件夹头部的名称为空或过长</translation>
        </message>
        <message>
            <source>a folder header without a valid size or kind</source>
            <translation>文件夹头部缺少有效的大小或类型</translation>
        </message>
    </context>
    <context>
        <name>CommandLine</name>
        <message>
            <source>%1 is this Pigeon itself (it listens on port %2): it cannot be a contact</source>
            <translation>%1 就是这个信鸽自己（它在端口 %2 上监听），不能作为联系人</translation>
        </message>
        <message>
            <source>Pigeon: chat across a LAN without any server, one UDP datagram per message.
  pigeon                      start the desktop messenger
  pigeon --console            chat from a terminal
  pigeon contacts list|add NAME HOST[:PORT] [plain] [ENCODING]|remove NAME
  pigeon history [PEER] [--last N]   print a conversation (all of them without PEER)
  pigeon history --search TEXT [PEER] [--last N]   messages that contain TEXT, newest first
  pigeon doctor               check the history database for damage</source>
            <translation>信鸽：无需任何服务器的局域网聊天，每条消息一个 UDP 数据报。
  pigeon                      启动桌面聊天窗口
  pigeon --console            在终端中聊天
  pigeon contacts list|add NAME HOST[:PORT] [plain] [ENCODING]|remove NAME
  pigeon history [PEER] [--last N]   打印一个会话（不给 PEER 时打印全部会话）
  pigeon history --search TEXT [PEER] [--last N]   包含 TEXT 的消息，最新的在前
  pigeon doctor               检查聊天记录数据库是否损坏</translation>
        </message>
        <message>
            <source>Chat in the terminal instead of a window.</source>
            <translation>在终端中聊天，不打开窗口。</translation>
        </message>
        <message>
            <source>UDP port to listen on (default 2425, the IP Messenger port).</source>
            <translation>监听的 UDP 端口（默认 2425，即飞鸽传书的端口）。</translation>
        </message>
        <message>
            <source>Address to listen on (default: all).</source>
            <translation>监听的地址（默认：全部）。</translation>
        </message>
        <message>
            <source>Folder for contacts, history and settings (a second identity).</source>
            <translation>存放联系人、聊天记录和设置的文件夹（即另一个身份）。</translation>
        </message>
        <message>
            <source>Nickname other people see.</source>
            <translation>别人看到的昵称。</translation>
        </message>
        <message>
            <source>Refuse messages from addresses that are no contact.</source>
            <translation>拒收来自非联系人地址的消息。</translation>
        </message>
        <message>
            <source>Announce yourself to the whole LAN (IP Messenger broadcast entry); off by default.</source>
            <translation>向整个局域网宣告自己上线（飞鸽传书的广播上线）；默认关闭。</translation>
        </message>
        <message>
            <source>User interface language (en, zh_CN).</source>
            <translation>界面语言（en、zh_CN）。</translation>
        </message>
        <message>
            <source>Render the window to a PNG file and exit.</source>
            <translation>将窗口渲染为 PNG 文件后退出。</translation>
        </message>
        <message>
            <source>pigeon history: only the newest N messages of each conversation.</source>
            <translation>pigeon history：每个会话只打印最新的 N 条消息。</translation>
        </message>
        <message>
            <source>pigeon history: only the messages that contain TEXT (every word of it), newest first.</source>
            <translation>pigeon history：只打印包含 TEXT（其中每个词）的消息，最新的在前。</translation>
        </message>
        <message>
            <source>Print this profile's key fingerprint (made on first use) for others to compare, and exit.</source>
            <translation>打印此配置的密钥指纹（首次使用时生成）供他人核对，然后退出。</translation>
        </message>
        <message>
            <source>Encoding for IP Messenger peers without UTF-8: gbk or cp932 (default: by the system locale, cp932 for Japanese, else gbk).</source>
            <translation>不支持 UTF-8 的飞鸽传书用户所用的编码：gbk 或 cp932（默认按系统区域设置：日文为 cp932，其他为 gbk）。</translation>
        </message>
        <message>
            <source>Folder for received files (default: your download folder's Pigeon subfolder).</source>
            <translation>接收文件的存放文件夹（默认：下载文件夹中的 Pigeon 子文件夹）。</translation>
        </message>
        <message>
            <source>Accept files offered by contacts without asking (never from strangers).</source>
            <translation>自动接收联系人发来的文件，不再询问（非联系人发来的文件从不自动接收）。</translation>
        </message>
        <message>
            <source>contacts: list, add or remove contacts; history: print messages; doctor: check the history database.</source>
            <translation>contacts：列出、添加或删除联系人；history：打印消息；doctor：检查聊天记录数据库。</translation>
        </message>
        <message>
            <source>Try pigeon --help.</source>
            <translation>运行 pigeon --help 查看用法。</translation>
        </message>
        <message>
            <source>missing TEXT after '--search' ("%1" is an option; for text that starts with '-', write --search=TEXT)</source>
            <translation>“--search”后缺少 TEXT（“%1”是一个选项；以“-”开头的文字请写成 --search=TEXT）</translation>
        </message>
        <message>
            <source>--last must be a number of messages, 1 or more, not "%1"</source>
            <translation>--last 必须是消息条数（1 或更多），而不是“%1”</translation>
        </message>
        <message>
            <source>--legacy-encoding must be gbk or cp932, not "%1"</source>
            <translation>--legacy-encoding 必须是 gbk 或 cp932，而不是“%1”</translation>
        </message>
        <message>
            <source>--name needs a nickname, not an empty one</source>
            <translation>--name 需要一个昵称，不能为空</translation>
        </message>
        <message>
            <source>--lang must be %1 or %2, not "%3"</source>
            <translation>--lang 必须是 %1 或 %2，而不是“%3”</translation>
        </message>
        <message>
            <source>--name is longer than 64 characters</source>
            <translation>--name 超过了 64 个字符</translation>
        </message>
        <message>
            <source>--port must be a number from 1 to 65535, not "%1"</source>
            <translation>--port 必须是 1 到 65535 之间的数字，而不是“%1”</translation>
        </message>
        <message>
            <source>--bind needs an IP address such as 127.0.0.1 or ::1, not "%1"</source>
            <translation>--bind 需要一个 IP 地址，例如 127.0.0.1 或 ::1，而不是“%1”</translation>
        </message>
        <message>
            <source>no answer within 10 s</source>
            <translation>10 秒内没有应答</translation>
        </message>
        <message>
            <source>the Pigeon window</source>
            <translation>信鸽窗口</translation>
        </message>
        <message>
            <source>Pigeon in a terminal</source>
            <translation>终端中的信鸽</translation>
        </message>
        <message>
            <source>the profile %1 is in use by %2 (pid %3); change the contacts there (/add, Contacts menu), or quit it first</source>
            <translation>配置文件夹 %1 正被%2使用（进程号 %3）；请在那里修改联系人（/add 或“联系人”菜单），或先退出它</translation>
        </message>
        <message>
            <source>the host name "%1" does not resolve (%2); check the spelling, or give its IP address</source>
            <translation>无法解析主机名“%1”（%2）；请检查拼写，或改用它的 IP 地址</translation>
        </message>
        <message>
            <source>usage: %1</source>
            <translation>用法：%1</translation>
        </message>
        <message>
            <source>no conversation with "%1" in %2</source>
            <translation>%2 中没有与“%1”的会话</translation>
        </message>
        <message>
            <source>the history database %1 is sound</source>
            <translation>聊天记录数据库 %1 完好无损</translation>
        </message>
        <message>
            <source>the history database %1 is damaged:</source>
            <translation>聊天记录数据库 %1 已损坏：</translation>
        </message>
        <message>
            <source>Keep a copy of it; "sqlite3 %1 .recover" saves what can still be read. Pigeon leaves the file as it is.</source>
            <translation>请保留一份副本；“sqlite3 %1 .recover”可以挽救仍能读取的内容。信鸽不会改动该文件。</translation>
        </message>
        <message>
            <source>cannot check the history database %1: %2</source>
            <translation>无法检查聊天记录数据库 %1：%2</translation>
        </message>
        <message>
            <source>the window on this profile (pid %1) is now in front</source>
            <translation>使用此配置的窗口（进程号 %1）已切换到前台</translation>
        </message>
        <message>
            <source>the profile %1 is in use by %2 (pid %3); use that one, or start with another --profile</source>
            <translation>配置文件夹 %1 正被%2使用（进程号 %3）；请使用那一个，或用另一个 --profile 启动</translation>
        </message>
        <message>
            <source>upgrading the history database: %1 %</source>
            <translation>正在升级聊天记录数据库：%1 %</translation>
        </message>
        <message>
            <source>no graphical display; run `pigeon --console` for the terminal</source>
            <translation>没有图形显示；要在终端中使用，请运行 `pigeon --console`</translation>
        </message>
        <message>
            <source>unknown command "%1"</source>
            <translation>未知命令“%1”</translation>
        </message>
        <message>
            <source>a second start cannot bring this window to the front: %1</source>
            <translation>再次启动时无法将此窗口切换到前台：%1</translation>
        </message>
    </context>
    <context>
        <name>Console</name>
        <message>
            <source>  (queued: %1 is offline; it goes out when they are back)</source>
            <translation>  （排队中：%1 不在线；对方上线后发出）</translation>
        </message>
        <message>
            <source>  (delivered to %1)</source>
            <translation>  （已送达 %1）</translation>
        </message>
        <message>
            <source>  (read by %1)</source>
            <translation>  （%1 已读）</translation>
        </message>
        <message>
            <source>  (sent to %1; plain-text peers send no receipts)</source>
            <translation>  （已发送给 %1；纯文本用户不会发回执）</translation>
        </message>
        <message>
            <source>  (could not deliver to %1: no answer)</source>
            <translation>  （未能送达 %1：没有应答）</translation>
        </message>
        <message>
            <source>* %1 is online</source>
            <translation>* %1 已上线</translation>
        </message>
        <message>
            <source>* %1 went offline</source>
            <translation>* %1 已下线</translation>
        </message>
        <message>
            <source>Now writing to %1 (%2).</source>
            <translation>现在发消息给 %1（%2）。</translation>
        </message>
        <message>
            <source>Accepted the new key of %1; what waited for it goes out now. Compare fingerprints (/verify %1) to be sure it is them.</source>
            <translation>已接受 %1 的新密钥；等待中的消息现在发出。请核对指纹（/verify %1）以确认确实是对方本人。</translation>
        </message>
        <message>
            <source>No key change of "%1" waits to be trusted.</source>
            <translation>“%1”没有等待信任的密钥更改。</translation>
        </message>
        <message>
            <source>No key is known for "%1" yet: it is not a Pigeon that encrypts, or it has not been heard.</source>
            <translation>尚不知道“%1”的密钥：它不是加密的信鸽，或尚未收到过它的消息。</translation>
        </message>
        <message>
            <source>The key of %1 changed: accept it first (/trust %1), then compare again.</source>
            <translation>%1 的密钥已更改：请先接受它（/trust %1），再重新核对。</translation>
        </message>
        <message>
            <source>%1 is marked as verified.</source>
            <translation>%1 已标记为已验证。</translation>
        </message>
        <message>
            <source>Fingerprint of %1 (%2):
  %3</source>
            <translation>%1 的指纹（%2）：
  %3</translation>
        </message>
        <message>
            <source>verified</source>
            <translation>已验证</translation>
        </message>
        <message>
            <source>not verified</source>
            <translation>未验证</translation>
        </message>
        <message>
            <source>Its new key, not trusted yet:
  %1</source>
            <translation>其新密钥，尚未信任：
  %1</translation>
        </message>
        <message>
            <source>Your own:
  %1
Compare them with %2 aloud or side by side; if they match, type /verify %2 yes.</source>
            <translation>你自己的：
  %1
请与 %2 当面或并排核对；一致时输入 /verify %2 yes。</translation>
        </message>
        <message>
            <source>Pigeon listening on UDP %1 as %2. Type a line to reply to whoever wrote last; /help for commands.</source>
            <translation>信鸽正以 %2 的身份在 UDP %1 上监听。输入一行文字即可回复最后给你发消息的人；/help 查看命令。</translation>
        </message>
        <message>
            <source>No one to send to yet: wait for a message, or pick someone with /to NAME.</source>
            <translation>还没有发送对象：请等待消息，或用 /to NAME 选择一个人。</translation>
        </message>
        <message numerus="yes">
            <source>Waiting for %n message(s) to be delivered...</source>
            <translation>
                <numerusform>正在等待 %n 条消息送达...</numerusform>
            </translation>
        </message>
        <message>
            <source>No sealed message is waiting.</source>
            <translation>没有等待打开的密封消息。</translation>
        </message>
        <message>
            <source>No sealed message %1 is waiting.</source>
            <translation>没有等待打开的密封消息 %1。</translation>
        </message>
        <message>
            <source>Usage: /to NAME, /to ADDRESS:PORT or /to GROUP</source>
            <translation>用法：/to NAME、/to ADDRESS:PORT 或 /to GROUP</translation>
        </message>
        <message>
            <source>You left %1: nothing can be sent to it any more.</source>
            <translation>你已退出 %1：不能再向它发送任何内容。</translation>
        </message>
        <message>
            <source>No contact named "%1"; /contacts lists them, or give ADDRESS:PORT.</source>
            <translation>没有名为“%1”的联系人；/contacts 可列出联系人，也可以给出 ADDRESS:PORT。</translation>
        </message>
        <message>
            <source>No contacts yet. Add one with /add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932].</source>
            <translation>还没有联系人。用 /add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932] 添加一个。</translation>
        </message>
        <message>
            <source>plain text</source>
            <translation>纯文本</translation>
        </message>
        <message>
            <source>online</source>
            <translation>在线</translation>
        </message>
        <message>
            <source>offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <source>unknown</source>
            <translation>未知</translation>
        </message>
        <message>
            <source>Usage: /add %1</source>
            <translation>用法：/add %1</translation>
        </message>
        <message>
            <source>%1 is this Pigeon itself: it cannot be a contact.</source>
            <translation>%1 是这个 Pigeon 自己，不能作为联系人。</translation>
        </message>
        <message>
            <source>Added %1.</source>
            <translation>已添加 %1。</translation>
        </message>
        <message>
            <source>Usage: %1 NAME</source>
            <translation>用法：%1 NAME</translation>
        </message>
        <message>
            <source>  TEXT                 send to the current partner (whoever wrote last, or /to)
  /to NAME|ADDR:PORT|GROUP   pick whom to write to (a group: its name or #NAME)
  /contacts            list contacts with presence
  /open [N]            open the oldest sealed message, or number N (its sender is told)
  /add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932]   add a contact
  /away [TEXT]         away; whoever writes gets TEXT back once (an automatic answer)
  /busy [TEXT]         busy, with TEXT shown to others; no automatic answer
  /back                online again
  /search TEXT         the newest messages that contain TEXT
  /retry               send again what failed to the current partner (queued messages wait for it)
  /group NAME MEMBER...   make a group (members: contact names or ADDR:PORT)
  /group add NAME MEMBER  add a member to a group
  /group leave NAME    leave a group
  /groups              list groups and their members
  /verify NAME [yes]   show NAME's key fingerprint and yours; yes: they match
  /trust NAME          accept NAME's changed key
  /quit                leave (so does end of input)
</source>
            <translation>  TEXT                 发送给当前对象（最后给你发消息的人，或 /to 选择的人）
  /to NAME|ADDR:PORT|GROUP   选择发送对象（群组：用其名称或 #NAME）
  /contacts            列出联系人及其在线状态
  /open [N]            打开最早的密封消息，或第 N 条（会通知其发送者）
  /add NAME HOST[:PORT] [plain] [auto|utf-8|gbk|cp932]   添加联系人
  /away [TEXT]         设为离开；给你发消息的人会收到一次 TEXT（自动回复）
  /busy [TEXT]         设为忙碌，向他人显示 TEXT；不自动回复
  /back                恢复在线
  /search TEXT         包含 TEXT 的最新消息
  /retry               重新发送发给当前对象失败的消息（排队中的消息等待对方上线）
  /group NAME MEMBER...   创建群组（成员：联系人名称或 ADDR:PORT）
  /group add NAME MEMBER  向群组添加成员
  /group leave NAME    退出群组
  /groups              列出群组及其成员
  /verify NAME [yes]   显示 NAME 的密钥指纹和你的指纹；yes：二者一致
  /trust NAME          接受 NAME 已更改的密钥
  /quit                退出（输入结束时也会退出）
</translation>
        </message>
        <message>
            <source>Files go to one person, not to a group: /to NAME picks a member of %1.</source>
            <translation>文件只能发给一个人，不能发给群组：用 /to NAME 选择 %1 中的一位成员。</translation>
        </message>
        <message>
            <source>Unknown command %1; /help lists them.</source>
            <translation>未知命令 %1；/help 可列出所有命令。</translation>
        </message>
        <message>
            <source>away</source>
            <translation>离开</translation>
        </message>
        <message>
            <source>busy</source>
            <translation>忙碌</translation>
        </message>
        <message>
            <source>* %1 is away</source>
            <translation>* %1 离开了</translation>
        </message>
        <message>
            <source>* %1 is away: %2</source>
            <translation>* %1 离开了：%2</translation>
        </message>
        <message>
            <source>* %1 is busy</source>
            <translation>* %1 正忙</translation>
        </message>
        <message>
            <source>* %1 is busy: %2</source>
            <translation>* %1 正忙：%2</translation>
        </message>
        <message>
            <source>* %1 is back</source>
            <translation>* %1 回来了</translation>
        </message>
        <message>
            <source>/back takes no text.</source>
            <translation>/back 不带文字。</translation>
        </message>
        <message>
            <source>You are away. Without a text nobody gets an automatic answer.</source>
            <translation>你已设为离开。没有设置文字，不会有人收到自动回复。</translation>
        </message>
        <message>
            <source>You are away: whoever writes gets "%1" back, once.</source>
            <translation>你已设为离开：给你发消息的人会收到一次“%1”。</translation>
        </message>
        <message>
            <source>You are busy.</source>
            <translation>你已设为忙碌。</translation>
        </message>
        <message>
            <source>You are busy: %1</source>
            <translation>你已设为忙碌：%1</translation>
        </message>
        <message>
            <source>You are online.</source>
            <translation>你现在在线。</translation>
        </message>
        <message>
            <source>Usage: /search TEXT</source>
            <translation>用法：/search TEXT</translation>
        </message>
        <message>
            <source>No message contains "%1".</source>
            <translation>没有包含“%1”的消息。</translation>
        </message>
        <message>
            <source>Messages with "%1", newest first:</source>
            <translation>包含“%1”的消息，最新的在前：</translation>
        </message>
        <message>
            <source>  (the newest %1; `pigeon history --search` prints them all)</source>
            <translation>  （最新的 %1 条；`pigeon history --search` 可打印全部）</translation>
        </message>
        <message>
            <source>Nobody to send to yet: /to NAME picks someone.</source>
            <translation>还没有发送对象：用 /to NAME 选择一个人。</translation>
        </message>
        <message>
            <source>Nothing to %1 failed since the last message that went out.</source>
            <translation>自上一条发出的消息以来，没有发给 %1 失败的消息。</translation>
        </message>
        <message numerus="yes">
            <source>Sending %n failed message(s) to %1 again.</source>
            <translation>
                <numerusform>正在重新发送 %n 条失败的消息给 %1。</numerusform>
            </translation>
        </message>
        <message>
            <source>(sealed message %1; /open %1 to read it)</source>
            <translation>（密封消息 %1；输入 /open %1 阅读）</translation>
        </message>
        <message>
            <source>to %1&gt; </source>
            <translation>发给 %1&gt; </translation>
        </message>
        <message>
            <source>Usage: /group add NAME MEMBER</source>
            <translation>用法：/group add NAME MEMBER</translation>
        </message>
        <message>
            <source>Added %1 to %2.</source>
            <translation>已将 %1 加入 %2。</translation>
        </message>
        <message>
            <source>Usage: /group leave NAME</source>
            <translation>用法：/group leave NAME</translation>
        </message>
        <message>
            <source>You left %1.</source>
            <translation>你已退出 %1。</translation>
        </message>
        <message>
            <source>Usage: /group NAME MEMBER...   /group add NAME MEMBER   /group leave NAME</source>
            <translation>用法：/group NAME MEMBER...   /group add NAME MEMBER   /group leave NAME</translation>
        </message>
        <message>
            <source>Made the group %1; now writing to it.</source>
            <translation>已创建群组 %1；现在发消息给该群组。</translation>
        </message>
        <message>
            <source>No groups yet. Make one with /group NAME MEMBER...</source>
            <translation>还没有群组。用 /group NAME MEMBER... 创建一个。</translation>
        </message>
        <message>
            <source>you</source>
            <translation>你</translation>
        </message>
        <message>
            <source>  (you left)</source>
            <translation>  （你已退出）</translation>
        </message>
        <message>
            <source>  (%1: waiting for %2)</source>
            <translation>  （%1：等待 %2）</translation>
        </message>
        <message>
            <source>  (%1: delivered to %2 of %3: %4)</source>
            <translation>  （%1：已送达 %3 人中的 %2 人：%4）</translation>
        </message>
    </context>
    <context>
        <name>ConsoleOutput</name>
        <message numerus="yes">
            <source>  (%n note(s) not shown while the terminal was not reading)</source>
            <translation>
                <numerusform>  （终端未读取期间有 %n 条提示未显示）</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>ConsoleTransfers</name>
        <message>
            <source>* [%1] preparing %2 for %3 (reading it once to hash it; /transfers shows how far, /cancel %1 stops it)</source>
            <translation>* [%1] 正在为 %3 准备 %2（读取一遍以计算哈希；/transfers 查看进度，/cancel %1 停止）</translation>
        </message>
        <message>
            <source>, hashing %1 %</source>
            <translation>，正在计算哈希 %1 %</translation>
        </message>
        <message numerus="yes">
            <source>* [%1] %2 offers %3 (%4, %n file(s)): /accept %1 or /decline %1</source>
            <translation>
                <numerusform>* [%1] %2 发来 %3（%4，%n 个文件）：/accept %1 接收，/decline %1 拒绝</numerusform>
            </translation>
        </message>
        <message>
            <source>* [%1] %2 received %3</source>
            <translation>* [%1] %2 已收到 %3</translation>
        </message>
        <message>
            <source>* [%1] %2 saved as %3</source>
            <translation>* [%1] %2 已保存为 %3</translation>
        </message>
        <message>
            <source>* [%1] %2 declined</source>
            <translation>* [%1] %2 被拒绝</translation>
        </message>
        <message>
            <source>* [%1] %2 cancelled</source>
            <translation>* [%1] %2 已取消</translation>
        </message>
        <message>
            <source>* [%1] %2 failed: %3</source>
            <translation>* [%1] %2 失败：%3</translation>
        </message>
        <message>
            <source>No offer is waiting.</source>
            <translation>没有等待接收的文件。</translation>
        </message>
        <message>
            <source>Which transfer? /transfers lists them.</source>
            <translation>哪一个传输？/transfers 可列出所有传输。</translation>
        </message>
        <message>
            <source>There is no transfer %1; /transfers lists them.</source>
            <translation>没有传输 %1；/transfers 可列出所有传输。</translation>
        </message>
        <message numerus="yes">
            <source>  [%1] %2 %3 %4  %5 (%n file(s))  %6</source>
            <translation>
                <numerusform>  [%1] %2 %3 %4  %5（%n 个文件）  %6</numerusform>
            </translation>
        </message>
        <message>
            <source> %1 %  %2/s</source>
            <translation> %1 %  %2/秒</translation>
        </message>
        <message>
            <source>No one to send to yet: pick someone with /to NAME.</source>
            <translation>还没有发送对象：用 /to NAME 选择一个人。</translation>
        </message>
        <message>
            <source>Usage: /send PATH (a file or a folder)</source>
            <translation>用法：/send PATH（文件或文件夹）</translation>
        </message>
        <message>
            <source>* [%1] offered %2 to %3</source>
            <translation>* [%1] 已向 %3 发出 %2</translation>
        </message>
        <message>
            <source>* [%1] accepted into %2</source>
            <translation>* [%1] 已接收，存入 %2</translation>
        </message>
        <message>
            <source>Transfer %1 is no waiting offer.</source>
            <translation>传输 %1 不是等待接收的文件。</translation>
        </message>
        <message>
            <source>Transfer %1 is over already.</source>
            <translation>传输 %1 已经结束。</translation>
        </message>
        <message>
            <source>No transfers yet. /send PATH offers a file or a folder.</source>
            <translation>还没有传输。/send PATH 可发送文件或文件夹。</translation>
        </message>
        <message>
            <source>  /send PATH           offer a file or a folder to the current partner
  /accept [N]          accept offer N (the newest without N) into the download folder
  /decline [N]         decline offer N
  /transfers           list transfers with progress, rate and state
  /cancel N            stop transfer N</source>
            <translation>  /send PATH           向当前对象发送文件或文件夹
  /accept [N]          将第 N 个发来的文件接收到下载文件夹（不给 N 时接收最新的）
  /decline [N]         拒绝第 N 个发来的文件
  /transfers           列出传输及其进度、速率和状态
  /cancel N            停止传输 N</translation>
        </message>
    </context>
    <context>
        <name>MessageLine</name>
        <message>
            <source>(sealed message)</source>
            <translation>（密封消息）</translation>
        </message>
        <message>
            <source>[automatic answer]</source>
            <translation>[自动回复]</translation>
        </message>
    </context>
    <context>
        <name>OfferPreparation</name>
        <message>
            <source>%1 holds more than %2 files and folders.</source>
            <translation>%1 包含超过 %2 个文件和文件夹。</translation>
        </message>
        <message>
            <source>%1 cannot be sent: %2.</source>
            <translation>%1 无法发送：%2。</translation>
        </message>
        <message>
            <source>%1 was deleted before it was offered.</source>
            <translation>%1 在发送前已被删除。</translation>
        </message>
        <message>
            <source>%1: %2</source>
            <translation>%1：%2</translation>
        </message>
        <message>
            <source>%1 was deleted while it was being prepared.</source>
            <translation>%1 在准备发送时被删除。</translation>
        </message>
        <message>
            <source>%1 changed while it was being prepared.</source>
            <translation>%1 在准备发送时被修改。</translation>
        </message>
    </context>
</TS>
