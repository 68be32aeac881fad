"""The real partner-city network, transcribed from the source texts in ../shared/seeds/.

- 000: Gwangju (Gyeonggi) works with 10 partner cities: Zibo (sister city since 2003), Ha Long,
  and eight Korean cities; it plans new exchanges with Milpitas and Kyoto. It plans mutual-visit
  and online youth exchanges, ceramics (Gwangju Royal Ceramic Conference) and agriculture
  (Toechon Tomato Street Festival).
- 001: Gwangju Metropolitan City signs a sister-city agreement with Qingdao (2024), its first with
  a Chinese city since the 2017 memorandum of understanding with Yancheng.
- 002: Gyeonggi Province and Gwangju Metropolitan City agree on eight tasks (2023), among them AI
  and youth education and exchange programs.
- 003: Siheung and Jilin agree on mutual exchanges and media cooperation (2025).
- 004: Gwangju Metropolitan City's AI hub ambitions.

Gwangju (Gyeonggi), 광주시, and Gwangju Metropolitan City, 광주광역시, are different cities.
"""

from datetime import timedelta

# slug: (local name, English name, country, time zone, main language)
CITIES = {
    "gwangju-gyeonggi": ("광주시", "Gwangju (Gyeonggi)", "KR", "Asia/Seoul", "ko"),
    "zibo": ("淄博市", "Zibo", "CN", "Asia/Shanghai", "zh"),
    "ha-long": ("Hạ Long", "Ha Long", "VN", "Asia/Ho_Chi_Minh", "vi"),
    "donghae": ("동해시", "Donghae", "KR", "Asia/Seoul", "ko"),
    "goheung": ("고흥군", "Goheung", "KR", "Asia/Seoul", "ko"),
    "gangnam": ("강남구", "Gangnam", "KR", "Asia/Seoul", "ko"),
    "taebaek": ("태백시", "Taebaek", "KR", "Asia/Seoul", "ko"),
    "shinan": ("신안군", "Shinan", "KR", "Asia/Seoul", "ko"),
    "boeun": ("보은군", "Boeun", "KR", "Asia/Seoul", "ko"),
    "buyeo": ("부여군", "Buyeo", "KR", "Asia/Seoul", "ko"),
    "andong": ("안동시", "Andong", "KR", "Asia/Seoul", "ko"),
    "milpitas": ("Milpitas", "Milpitas", "US", "America/Los_Angeles", "en"),
    "kyoto": ("京都市", "Kyoto", "JP", "Asia/Tokyo", "ja"),
    "gwangju-metro": ("광주광역시", "Gwangju Metropolitan City", "KR", "Asia/Seoul", "ko"),
    "qingdao": ("青岛市", "Qingdao", "CN", "Asia/Shanghai", "zh"),
    "yancheng": ("盐城市", "Yancheng", "CN", "Asia/Shanghai", "zh"),
    "gyeonggi": ("경기도", "Gyeonggi Province", "KR", "Asia/Seoul", "ko"),
    "siheung": ("시흥시", "Siheung", "KR", "Asia/Seoul", "ko"),
    "jilin": ("吉林市", "Jilin City", "CN", "Asia/Shanghai", "zh"),
}

# (city, city, kind, since, status)
PARTNERSHIPS = [
    ("gwangju-gyeonggi", "zibo", "sister", 2003, "active"),
    ("gwangju-gyeonggi", "ha-long", "friendship", None, "active"),
    *[
        ("gwangju-gyeonggi", slug, "domestic", None, "active")
        for slug in [
            "donghae",
            "goheung",
            "gangnam",
            "taebaek",
            "shinan",
            "boeun",
            "buyeo",
            "andong",
        ]
    ],
    ("gwangju-gyeonggi", "milpitas", "friendship", None, "planned"),
    ("gwangju-gyeonggi", "kyoto", "friendship", None, "planned"),
    ("gwangju-metro", "qingdao", "sister", 2024, "active"),
    # A memorandum of understanding, which Gwangju counts among its friendly cooperation cities.
    ("gwangju-metro", "yancheng", "friendship", 2017, "active"),
    ("gyeonggi", "gwangju-metro", "domestic", 2023, "active"),
    ("siheung", "jilin", "friendship", 2025, "active"),
]

DEMO_PASSWORD = "exchange-demo-2026"
# The authenticator-app secret of every demo coordinator and of the demo staff account (base32,
# as an app's "enter a setup key" asks for it). Published in the README: demo only.
DEMO_TOTP_SECRET = "EXCHANGEDEMOTWOTHOUSANDTWENTYSIX"

# email: (native name, Latin name, age, city, school, {language: level}, interests, UI language)
STUDENTS = {
    "minji@demo.example": (
        "김민지",
        "Kim Minji",
        16,
        "gwangju-gyeonggi",
        "광주 한빛고등학교",
        {"ko": 4, "en": 2, "zh": 1},
        ["ceramics", "culture-arts"],
        "ko",
    ),
    "seojun@demo.example": (
        "박서준",
        "Park Seojun",
        13,
        "gwangju-gyeonggi",
        "광주 새봄중학교",
        {"ko": 4, "en": 1},
        ["sports"],
        "ko",
    ),
    "xiaoyu@demo.example": (
        "王晓雨",
        "Wang Xiaoyu",
        16,
        "zibo",
        "淄博实验中学",
        {"zh": 4, "en": 2, "ko": 1},
        ["ceramics", "music"],
        "zh-hans",
    ),
    "lan@demo.example": (
        "Nguyễn Thị Lan",
        "Nguyen Thi Lan",
        17,
        "ha-long",
        "Trường THPT Hạ Long",
        {"vi": 4, "en": 2, "ko": 1},
        ["agriculture", "tourism"],
        "vi",
    ),
    "yui@demo.example": (
        "田中結衣",
        "Tanaka Yui",
        15,
        "kyoto",
        "京都市立みやこ高等学校",
        {"ja": 4, "en": 2},
        ["culture-arts", "history"],
        "ja",
    ),
    "emily@demo.example": (
        "Emily Johnson",
        "Emily Johnson",
        17,
        "milpitas",
        "Milpitas High School",
        {"en": 4, "ko": 2},
        ["ai-tech", "languages"],
        "en",
    ),
    "jiho@demo.example": (
        "이지호",
        "Lee Jiho",
        18,
        "gwangju-metro",
        "광주 미래과학고등학교",
        {"ko": 4, "en": 3, "zh": 2},
        ["ai-tech", "media"],
        "ko",
    ),
    "hao@demo.example": (
        "刘浩",
        "Liu Hao",
        17,
        "qingdao",
        "青岛第二中学",
        {"zh": 4, "ko": 2, "en": 2},
        ["ai-tech", "languages"],
        "zh-hans",
    ),
    "yuna@demo.example": (
        "최유나",
        "Choi Yuna",
        16,
        "siheung",
        "시흥 바다고등학교",
        {"ko": 4, "zh": 1, "en": 2},
        ["media", "environment"],
        "ko",
    ),
    "wei@demo.example": (
        "张伟",
        "Zhang Wei",
        17,
        "jilin",
        "吉林市第一中学",
        {"zh": 4, "ko": 3},
        ["media", "sports"],
        "zh-hans",
    ),
}

# Guardian consent for the demo minors: email -> (guardian email, name, relationship, given?)
GUARDIANS = {
    "minji@demo.example": ("parent.kim@demo.example", "김영희", "mother", True),
    "seojun@demo.example": ("parent.park@demo.example", "", "", False),
    "xiaoyu@demo.example": ("parent.wang@demo.example", "王建国", "father", True),
    "lan@demo.example": ("parent.nguyen@demo.example", "Nguyễn Văn Hùng", "father", True),
    "yui@demo.example": ("parent.tanaka@demo.example", "田中美香", "mother", True),
    "emily@demo.example": ("parent.johnson@demo.example", "Sarah Johnson", "mother", True),
    "hao@demo.example": ("parent.liu@demo.example", "刘敏", "mother", True),
    "yuna@demo.example": ("parent.choi@demo.example", "최정호", "father", True),
    "wei@demo.example": ("parent.zhang@demo.example", "张丽", "guardian", True),
}

# Observers (the mayors' offices): read their city's figures, plans and reports, never a
# person. email: (native name, Latin name, [cities], UI language)
OBSERVERS = {
    "observer.gwangju@demo.example": ("시장실", "Mayor's Office", ["gwangju-gyeonggi"], "ko"),
    "observer.siheung@demo.example": ("시장실", "Mayor's Office", ["siheung"], "ko"),
}

# email: (native name, Latin name, [cities], UI language)
COORDINATORS = {
    "coord.gwangju@demo.example": ("정수진", "Jung Sujin", ["gwangju-gyeonggi"], "ko"),
    "coord.zibo@demo.example": ("李明", "Li Ming", ["zibo"], "zh-hans"),
    "coord.halong@demo.example": ("Trần Văn Minh", "Tran Van Minh", ["ha-long"], "vi"),
    "coord.metro@demo.example": ("오하늘", "Oh Haneul", ["gwangju-metro"], "ko"),
    "coord.qingdao@demo.example": ("王芳", "Wang Fang", ["qingdao"], "zh-hans"),
    # A provincial officer who also runs Siheung's team: one person, two cities' teams.
    "coord.gyeonggi@demo.example": ("한지민", "Han Jimin", ["gyeonggi", "siheung"], "ko"),
    "coord.jilin@demo.example": ("金哲", "Jin Zhe", ["jilin"], "zh-hans"),
}

STAFF_EMAIL = "admin@demo.example"

D = timedelta(days=1)

# title: program fields; dates are offsets from today so the demo always has open programs.
PROGRAMS = [
    {
        "title": "Royal Ceramics Youth Exchange: Gwangju ⇄ Zibo",
        "kind": "visit",
        "by": "coord.gwangju@demo.example",
        "description": (
            "Gwangju is turning its Royal Ceramic Conference into an international festival, "
            "with joint booths and arts exchanges with partner cities. Ten students from each "
            "city spend a week with a host family in the other city: workshops with ceramic "
            "artisans, a joint exhibition of the students' work, and the festival itself.\n\n"
            "Zibo has been Gwangju's sister city since 2003."
        ),
        "themes": ["ceramics", "culture-arts"],
        "quotas": {"gwangju-gyeonggi": 10, "zibo": 10},
        "languages": ["ko", "zh", "en"],
        "ages": (14, 18),
        # Under way: Zibo's group is in Gwangju this week, Gwangju's travels to Zibo next
        # (VISIT_LEGS), so the trip's pages have a running leg and one being prepared.
        "window": (-45, -15),
        "dates": (-2, 12),
        "open": True,
        "running": True,
    },
    {
        "title": "Toechon Tomato Festival Youth Crew: Gwangju ⇄ Ha Long",
        "kind": "visit",
        "by": "coord.gwangju@demo.example",
        "description": (
            "Gwangju's Toechon Tomato Street Festival goes international. Students from Gwangju "
            "and Ha Long run a joint booth, learn how the city's farms bring fresh produce to "
            "partner cities, and then visit Ha Long Bay with their host families."
        ),
        "themes": ["agriculture", "culture-arts", "tourism"],
        "quotas": {"gwangju-gyeonggi": 6, "ha-long": 6},
        "languages": ["ko", "vi", "en"],
        "ages": (15, 19),
        "window": (-5, 30),
        "dates": (60, 70),
        "open": True,
    },
    {
        "title": "AI Youth Lab Online: Gyeonggi ⇄ Gwangju",
        "kind": "online",
        "by": "coord.metro@demo.example",
        "description": (
            "Gyeonggi Province (Pangyo Techno Valley) and Gwangju Metropolitan City (the AI "
            "convergence cluster) agreed to run youth education and exchange programs together. "
            "Mixed online teams meet every week for eight weeks to build a small AI project."
        ),
        "themes": ["ai-tech"],
        "quotas": {"gyeonggi": 12, "gwangju-metro": 12},
        "languages": ["ko"],
        "ages": (15, 19),
        "window": (-3, 25),
        "dates": (35, 91),
        "open": True,
    },
    {
        "title": "Gwangju–Qingdao Language Café",
        "kind": "online",
        "by": "coord.metro@demo.example",
        "description": (
            "The new sister cities open their first youth exchange: weekly online chats in "
            "small groups, half in Korean and half in Chinese, about school life, food and music."
        ),
        "themes": ["languages", "culture-arts"],
        "quotas": {"gwangju-metro": 10, "qingdao": 10},
        "languages": ["ko", "zh", "en"],
        "ages": (13, 17),
        "window": (-7, 20),
        "dates": (30, 72),
        "open": True,
    },
    {
        "title": "Siheung–Jilin Youth Reporters",
        "kind": "online",
        "by": "coord.gyeonggi@demo.example",
        "description": (
            "Siheung and Jilin City agreed to build understanding through media. Student "
            "reporters from both cities interview each other online and publish a joint series "
            "about their cities."
        ),
        "themes": ["media"],
        "quotas": {"siheung": 8, "jilin": 8},
        "languages": ["ko", "zh"],
        "ages": (15, 18),
        "window": (-2, 35),
        "dates": (45, 90),
        "open": True,
    },
    {
        "title": "Heritage Camp: Gwangju, Andong and Buyeo",
        "kind": "visit",
        "by": "coord.gwangju@demo.example",
        "description": (
            "A domestic exchange with two of Gwangju's partner cities: Hahoe Folk Village in "
            "Andong and the Baekje sites in Buyeo, hosted by families in each city."
        ),
        "themes": ["history", "culture-arts"],
        "quotas": {"gwangju-gyeonggi": 10, "andong": 10, "buyeo": 10},
        "languages": ["ko"],
        "ages": (12, 16),
        "window": (20, 60),
        "dates": (100, 105),
        "open": False,
    },
]

# A visit that ended two months ago, so the demo has completed participants with their
# certificates; three of the demo students above took part, to try downloading one. Six per
# city, so the outcomes' dashboards show figures rather than "fewer than 5".
PAST_PROGRAM = {
    "title": "Spring Youth Culture Week: Gwangju, Zibo and Ha Long",
    "kind": "visit",
    "by": "coord.gwangju@demo.example",
    "description": (
        "Gwangju's first three-city youth week: students from Gwangju, Zibo and Ha Long "
        "stayed with host families in Gwangju, made celadon at the Royal Ceramics workshops, "
        "cooked each other's home dishes and presented their cities at the closing evening."
    ),
    "themes": ["culture-arts", "ceramics"],
    "quotas": {"gwangju-gyeonggi": 6, "zibo": 6, "ha-long": 6},
    "languages": ["ko", "zh", "vi", "en"],
    "ages": (14, 18),
    "window": (-150, -120),
    "dates": (-62, -56),
}
# Who signs each city's certificates: city slug -> signatory, as printed under the line.
SIGNATORIES = {
    "gwangju-gyeonggi": "정수진 Jung Sujin · 광주시 국제교류팀",
    "zibo": "李明 Li Ming · 淄博市外事办公室",
    "ha-long": "Trần Văn Minh · Phòng Ngoại vụ Hạ Long",
}
# Who completed it: city slug -> demo students (by email) and extra people (native name,
# Latin name, gender).
PAST_PARTICIPANTS = {
    "gwangju-gyeonggi": [
        "minji@demo.example",
        ("오하린", "Oh Harin", "female"),
        ("배준혁", "Bae Junhyeok", "male"),
        ("윤채원", "Yoon Chaewon", "female"),
        ("강도윤", "Kang Doyun", "male"),
        ("임소율", "Lim Soyul", "female"),
    ],
    "zibo": [
        "xiaoyu@demo.example",
        ("马俊熙", "Ma Junxi", "male"),
        ("林诗雨", "Lin Shiyu", "female"),
        ("赵梓涵", "Zhao Zihan", "female"),
        ("孙浩然", "Sun Haoran", "male"),
        ("周雨桐", "Zhou Yutong", "female"),
    ],
    "ha-long": [
        "lan@demo.example",
        ("Trần Minh Khôi", "Tran Minh Khoi", "male"),
        ("Phạm Ngọc Ánh", "Pham Ngoc Anh", "female"),
        ("Lê Gia Bảo", "Le Gia Bao", "male"),
        ("Hoàng Thu Hà", "Hoang Thu Ha", "female"),
        ("Vũ Đức Anh", "Vu Duc Anh", "male"),
    ],
}

# Siheung and Jilin's first youth media camp, this summer: Jilin's student reporters stayed
# with families in Siheung. Six per city, so the Siheung–Jilin dashboard, its working group's
# computed indicators and its annual report show figures. Illustrative: the seeds tell of the
# cities' media agreement, not of this camp.
MEDIA_CAMP = {
    "title": "Siheung–Jilin Youth Media Camp",
    "kind": "visit",
    "by": "coord.gyeonggi@demo.example",
    "description": (
        "Student reporters from Jilin City stayed with host families in Siheung for a week: "
        "they filmed the Siheung Tidal Flat and Baegot Park together, interviewed each other's "
        "families and published their first joint stories."
    ),
    "themes": ["media"],
    "quotas": {"siheung": 6, "jilin": 6},
    "languages": ["ko", "zh"],
    "ages": (15, 18),
    "window": (-220, -190),
    "dates": (-130, -124),
}
MEDIA_CAMP_SIGNATORIES = {
    "siheung": "한지민 Han Jimin · 시흥시 국제협력팀",
    "jilin": "金哲 Jin Zhe · 吉林市外事办公室",
}
MEDIA_CAMP_PARTICIPANTS = {
    "siheung": [
        "yuna@demo.example",
        ("정다은", "Jeong Daeun", "female"),
        ("문현우", "Moon Hyunwoo", "male"),
        ("송지아", "Song Jia", "female"),
        ("조은호", "Jo Eunho", "male"),
        ("백서아", "Baek Seoa", "female"),
    ],
    "jilin": [
        "wei@demo.example",
        ("王子豪", "Wang Zihao", "male"),
        ("李佳怡", "Li Jiayi", "female"),
        ("高宇航", "Gao Yuhang", "male"),
        ("刘欣然", "Liu Xinran", "female"),
        ("何嘉琪", "He Jiaqi", "female"),
    ],
}
# The past programs, each with who completed it and who signs its cities' certificates.
PAST_PROGRAMS = [
    (PAST_PROGRAM, PAST_PARTICIPANTS, SIGNATORIES),
    (MEDIA_CAMP, MEDIA_CAMP_PARTICIPANTS, MEDIA_CAMP_SIGNATORIES),
]

# Review setup for every demo program: rubric (name, weight) and the documents applicants upload.
RUBRIC = [("Motivation", 2), ("Languages", 1), ("Openness to other cultures", 1)]
DOCUMENTS = {"visit": ["guardian-consent", "passport"], "online": ["guardian-consent"]}

# The demo students' applications: email -> (program title, the state to walk it to).
APPLICATIONS = {
    "minji@demo.example": ("Toechon Tomato Festival Youth Crew: Gwangju ⇄ Ha Long", "submitted"),
    "xiaoyu@demo.example": ("Royal Ceramics Youth Exchange: Gwangju ⇄ Zibo", "confirmed"),
    "lan@demo.example": ("Toechon Tomato Festival Youth Crew: Gwangju ⇄ Ha Long", "under_review"),
    "jiho@demo.example": ("AI Youth Lab Online: Gyeonggi ⇄ Gwangju", "accepted"),
    "hao@demo.example": ("Gwangju–Qingdao Language Café", "waitlisted"),
    "yuna@demo.example": ("Siheung–Jilin Youth Reporters", "draft"),
    "wei@demo.example": ("Siheung–Jilin Youth Reporters", "confirmed"),
}
# The demo students who apply as girls (the rest as boys).
FEMALE_STUDENTS = {
    "minji@demo.example",
    "xiaoyu@demo.example",
    "lan@demo.example",
    "yuna@demo.example",
}
# What each demo applicant wrote, in their own words.
MOTIVATIONS = {
    "minji@demo.example": (
        "퇴촌 토마토 축제에서 3년째 자원봉사를 하고 있어요. "
        "하롱의 친구들과 축제 부스를 함께 운영하고, 하롱베이의 농장도 직접 보고 싶어요."
    ),
    "xiaoyu@demo.example": (
        "我从小在淄博的陶瓷博物馆长大。我想认识光州的朋友，一起做陶艺，也想练习韩语。"
    ),
    "lan@demo.example": (
        "Em muốn giới thiệu nông sản Hạ Long và học cách các nông trại ở Gwangju "
        "đưa cà chua tươi đến lễ hội."
    ),
    "jiho@demo.example": (
        "AI 동아리에서 챗봇을 만들고 있어요. "
        "경기도 친구들과 함께 지역 문제를 푸는 작은 AI 프로젝트를 해 보고 싶어요."
    ),
    "hao@demo.example": "我在学韩语，想和光州的同学聊学校生活、美食和音乐。",
    "yuna@demo.example": "학교 방송부 기자예요. 지린의 친구들과 서로의 도시를 취재해 보고 싶어요.",
    "wei@demo.example": "我是学校报社的记者，想和始兴的同学一起写关于我们城市的报道。",
}

# What the demo's extra participants wrote (one text for all of them).
EXTRA_MOTIVATION = (
    "도자기 공방에서 3년째 배우고 있어요. "
    "쯔보의 도예가들이 어떻게 작업하는지 직접 보고, 제 작품을 함께 전시하고 싶어요."
)

# More confirmed participants, so the demo programs have people to match. Names are common
# ones in each city's script; the profiles vary on what matching looks at.
# program title -> {city slug: [(native name, Latin name, gender), ...]}
EXTRA_PARTICIPANTS = {
    "Royal Ceramics Youth Exchange: Gwangju ⇄ Zibo": {
        "gwangju-gyeonggi": [
            ("이서연", "Lee Seoyeon", "female"),
            ("김도윤", "Kim Doyun", "male"),
            ("박지우", "Park Jiwoo", "female"),
            ("최하준", "Choi Hajun", "male"),
            ("정수아", "Jung Sua", "female"),
            ("강민준", "Kang Minjun", "male"),
        ],
        "zibo": [
            ("李思琪", "Li Siqi", "female"),
            ("张子轩", "Zhang Zixuan", "male"),
            ("刘雨桐", "Liu Yutong", "female"),
            ("陈浩然", "Chen Haoran", "male"),
            ("杨梓涵", "Yang Zihan", "female"),
            ("赵一鸣", "Zhao Yiming", "male"),
            ("孙可欣", "Sun Kexin", "female"),
        ],
    },
    "Gwangju–Qingdao Language Café": {
        "gwangju-metro": [
            ("윤지민", "Yoon Jimin", "female"),
            ("임준서", "Lim Junseo", "male"),
            ("한예린", "Han Yerin", "female"),
            ("오시우", "Oh Siwoo", "male"),
            ("서하은", "Seo Haeun", "female"),
            ("신우진", "Shin Woojin", "male"),
            ("권나연", "Kwon Nayeon", "female"),
            ("황건우", "Hwang Geonwoo", "male"),
        ],
        "qingdao": [
            ("王欣怡", "Wang Xinyi", "female"),
            ("周宇航", "Zhou Yuhang", "male"),
            ("吴佳琪", "Wu Jiaqi", "female"),
            ("郑博文", "Zheng Bowen", "male"),
            ("冯雨萱", "Feng Yuxuan", "female"),
            ("何俊杰", "He Junjie", "male"),
            ("高诗涵", "Gao Shihan", "female"),
        ],
    },
}
# Profiles cycle through these, so some pairs are easy and some are not.
EXTRA_LANGUAGES = {
    "ko": [{"ko": 4, "en": 2}, {"ko": 4, "en": 3, "zh": 1}, {"ko": 4, "zh": 2}],
    "zh": [{"zh": 4, "en": 2}, {"zh": 4, "ko": 2}, {"zh": 4, "en": 3, "ko": 1}],
    "vi": [{"vi": 4, "en": 2}, {"vi": 4, "ko": 2}, {"vi": 4, "en": 3, "ko": 1}],
}
# A city's main language -> the portal language its extra people use.
EXTRA_UI_LANGUAGE = {"ko": "ko", "zh": "zh-hans", "vi": "vi"}
EXTRA_INTERESTS = [
    ["ceramics", "culture-arts"],
    ["music", "languages"],
    ["ceramics", "history"],
    ["sports", "media"],
    ["languages", "culture-arts"],
]

# Live sessions of the online programs: title -> (days after the program starts, local start
# hour in the first city's time zone, hours long).
SESSIONS = {
    "Gwangju–Qingdao Language Café": [
        ("Kick-off: introduce yourself", 0, 19, 1),
        ("School life", 7, 19, 1),
    ],
}

# Chat: the program whose matching the demo publishes, so its buddies have rooms, and what is
# said there first.
CHAT_PROGRAM = "Royal Ceramics Youth Exchange: Gwangju ⇄ Zibo"
CHAT_WELCOME = (
    "Welcome, everyone! 환영해요! 欢迎大家！ Say hello to your buddy in your buddy chat; "
    "we coordinators read along."
)
CHAT_HELLO = {
    "ko": "안녕! 만나서 반가워. 도자기 좋아해?",
    "zh": "你好！很高兴认识你。你喜欢陶艺吗？",
}

# --- The ceramics visit as a trip (issue 15) ---------------------------------------------------

# Host households of the visit's participants, by city: districts cycle through these.
DISTRICTS = {
    "gwangju-gyeonggi": ["경안동 Gyeongan-dong", "송정동 Songjeong-dong", "곤지암읍 Gonjiam-eup"],
    "zibo": ["张店区 Zhangdian", "博山区 Boshan", "淄川区 Zichuan"],
}
HOUSEHOLD_PHONES = {"gwangju-gyeonggi": "+82 31 760 {:04d}", "zibo": "+86 533 218 {:04d}"}
PETS = {"gwangju-gyeonggi": "고양이 한 마리 (one cat)", "zibo": "一只小狗 (a small dog)"}
# The one household still waiting for its home visit: its student is left out of the matching,
# with the reason shown on the matching page.
PENDING_HOUSEHOLD = "sun.kexin@demo.example"

# The visit's two legs: host city, first and last day (days from today), and the emergency
# plan the accompanying adults follow.
VISIT_LEGS = [
    (
        "gwangju-gyeonggi",
        -2,
        4,
        "1. Call the group leader first: 정수진 Jung Sujin, +82 31 760 2000 (day and night).\n"
        "2. Emergencies: 119 (ambulance, fire), 112 (police). Nearest hospital: Gwangju "
        "Central Hospital, Gyeongan-dong.\n"
        "3. If the group is separated, meet at the Gonjiam Ceramic Park main gate.",
    ),
    (
        "zibo",
        6,
        12,
        "1. 先联系领队：李明 Li Ming，+86 533 218 0000（全天）。\n"
        "2. Emergencies: 120 (ambulance), 110 (police), 119 (fire). Nearest hospital: Zibo "
        "Central Hospital, Zhangdian.\n"
        "3. If the group is separated, meet at the China Ceramics Museum entrance.",
    ),
]
# Each leg's day-by-day programme: (day of the leg, from, until, kind, place, activity,
# responsible adult, meeting point, transport). Times are the host city's.
ITINERARY = {
    "gwangju-gyeonggi": [
        (
            0,
            "14:00",
            "16:00",
            "travel",
            "Incheon Airport → Gwangju City Hall",
            "Arrival and bus to Gwangju",
            "정수진 Jung Sujin",
            "Arrivals hall, exit 3",
            "Chartered bus",
        ),
        (
            0,
            "17:00",
            None,
            "household",
            "Host homes",
            "Evening with the host family",
            "Host parents",
            "Gwangju City Hall",
            "Host family car",
        ),
        (
            1,
            "09:30",
            "12:30",
            "group",
            "Gonjiam Ceramic Park",
            "Wheel-throwing workshop with a royal-ware potter",
            "정수진 Jung Sujin",
            "Park main gate",
            "Bus from City Hall",
        ),
        (
            1,
            "14:00",
            "16:00",
            "group",
            "Gyeonggi Ceramic Museum",
            "Guided visit: Joseon royal porcelain",
            "정수진 Jung Sujin",
            "Museum lobby",
            "On foot",
        ),
        (
            2,
            "10:00",
            "15:00",
            "group",
            "Namhansanseong Fortress",
            "Walk on the UNESCO fortress wall",
            "정수진 Jung Sujin",
            "North gate car park",
            "Bus from City Hall",
        ),
        (
            3,
            "10:00",
            "17:00",
            "group",
            "Royal Ceramic Festival, Gonjiam",
            "Joint booth: the students' celadon pieces",
            "정수진 Jung Sujin",
            "Festival info tent",
            "Bus from City Hall",
        ),
        (
            4,
            "09:00",
            "13:00",
            "group",
            "Gwangju Hanbit High School",
            "A morning of classes with the host students",
            "정수진 Jung Sujin",
            "School gate",
            "Walk with the host student",
        ),
        (
            4,
            "15:00",
            None,
            "free",
            "Gyeongan-dong",
            "Free afternoon with the buddy",
            "Host parents",
            "",
            "",
        ),
        (
            6,
            "08:00",
            "11:00",
            "travel",
            "Gwangju City Hall → Incheon Airport",
            "Departure",
            "정수진 Jung Sujin",
            "Gwangju City Hall",
            "Chartered bus",
        ),
    ],
    "zibo": [
        (
            0,
            "13:00",
            "15:00",
            "travel",
            "Jinan Yaoqiang Airport → Zibo",
            "Arrival and bus to Zibo",
            "李明 Li Ming",
            "Arrivals, gate B",
            "Chartered bus",
        ),
        (
            0,
            "17:00",
            None,
            "household",
            "Host homes",
            "Evening with the host family",
            "Host parents",
            "Zibo Municipal Government",
            "Host family car",
        ),
        (
            1,
            "09:00",
            "12:00",
            "group",
            "China Ceramics Museum",
            "Guided visit and glaze demonstration",
            "李明 Li Ming",
            "Museum entrance",
            "Bus",
        ),
        (
            2,
            "09:30",
            "15:30",
            "group",
            "Boshan ceramic workshops",
            "Glazing the pieces begun in Gwangju",
            "李明 Li Ming",
            "Boshan bus station",
            "Bus",
        ),
        (
            3,
            "10:00",
            "14:00",
            "group",
            "Linzi: Qi Culture Museum",
            "The ancient capital of Qi",
            "李明 Li Ming",
            "Museum square",
            "Bus",
        ),
        (
            4,
            "09:00",
            "17:00",
            "household",
            "Host homes",
            "A day with the host family",
            "Host parents",
            "",
            "",
        ),
        (
            5,
            "10:00",
            "16:00",
            "group",
            "Zhoucun Ancient Market",
            "Joint exhibition and farewell lunch",
            "李明 Li Ming",
            "Market east gate",
            "Bus",
        ),
        (
            6,
            "08:00",
            "11:00",
            "travel",
            "Zibo → Jinan Yaoqiang Airport",
            "Departure",
            "李明 Li Ming",
            "Zibo Municipal Government",
            "Chartered bus",
        ),
    ],
}
# A traveller's emergency information, by city (the contacts are their guardians).
INSURERS = {
    "gwangju-gyeonggi": ("DB손해보험 DB Insurance", "+82 1588 0100"),
    "zibo": ("中国人民保险 PICC", "+86 95518"),
}
ALLERGIES = ["", "Peanuts 땅콩", "", "Shellfish", "", "Penicillin 페니실린", ""]
