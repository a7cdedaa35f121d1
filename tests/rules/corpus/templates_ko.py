"""Korean story templates: (title, body, labels). Slots in braces are filled by `generate.py`."""

from __future__ import annotations

TEMPLATES: list[tuple[str, str, tuple[str, ...]]] = [
    ("{memco}, {hbm} 양산 돌입",
     "{memco}는 {day} {hbm} 양산에 들어갔다고 밝혔다. 고대역폭메모리 수요 증가로 메모리 매출이 {pct}% 늘 "
     "것으로 전망된다.",
     ("memory-hbm", "semiconductor-industry")),
    ("D램 가격 {pct}% 상승",
     "{month} D램 고정거래가격이 {pct}% 올랐다. {memco}의 감산 효과가 나타나고 있다는 분석이다.",
     ("memory-hbm", "semiconductor-industry")),
    ("한-네덜란드 반도체 협력 양해각서 체결",
     "산업통상자원부는 {day} 네덜란드 경제부와 반도체 공급망과 인력 교류 협력을 위한 양해각서를 체결했다.",
     ("nl-kr-semiconductor-cooperation", "semiconductor-industry", "government-visits")),
    ("{krmin} 장관, 네덜란드 방문해 ASML 본사 찾아",
     "{krmin} 산업부 장관은 {day} 네덜란드를 방문해 벨트호벤의 ASML 본사에서 극자외선 노광장비 생산 "
     "현장을 둘러봤다.",
     ("nl-kr-semiconductor-cooperation", "lithography-equipment", "semiconductor-industry",
      "government-visits")),
    ("ASML, 화성에 신규 캠퍼스 착공",
     "ASML은 {day} 경기도 화성에서 {n}억원 규모의 신규 캠퍼스 착공식을 열었다. 노광장비 재제조와 교육 "
     "센터가 들어선다.",
     ("lithography-equipment", "semiconductor-industry")),
    ("미국, 대중 반도체 수출통제 강화",
     "미국 상무부는 {day} 중국에 대한 반도체 장비와 고대역폭메모리 수출통제를 강화한다고 발표했다. "
     "국내 기업들은 영향이 제한적이라고 밝혔다.",
     ("export-controls", "lithography-equipment", "memory-hbm", "semiconductor-industry")),
    ("정부, 경제안보 전략 발표",
     "정부는 {day} 반도체와 이차전지 핵심기술 유출을 막기 위한 경제안보 전략을 발표했다.",
     ("export-controls", "semiconductor-industry")),
    ("세미콘 코리아 {year} 개막",
     "국내 최대 반도체 전시회인 세미콘 코리아 {year}가 {day} 서울 코엑스에서 개막했다. {n}개 기업이 "
     "참가했다.",
     ("trade-fairs", "semiconductor-industry")),
    ("포스코홀딩스, 리튬 공장 준공",
     "포스코홀딩스는 {day} {kcity}에서 이차전지용 수산화리튬 공장 준공식을 열었다.",
     ("materials-posco",)),
    ("반도체 소재 국산화율 {pct}% 돌파",
     "불화수소와 포토레지스트 등 반도체 소재의 국산화율이 {pct}%를 넘었다고 산업부가 {day} 밝혔다.",
     ("materials-posco", "semiconductor-industry")),
    ("정부, 시스템반도체에 {n}조원 투자",
     "정부는 {day} 시스템반도체와 파운드리 경쟁력 강화를 위해 {n}조원을 투자한다고 발표했다.",
     ("semiconductor-industry",)),
    ("삼성전자, AI 칩 신제품 공개",
     "삼성전자는 {day} 데이터센터용 AI 칩 신제품을 공개하고 내년 양산 계획을 밝혔다.",
     ("semiconductor-industry",)),
    # hard negatives
    ("배우 A씨, 칩거 끝내고 복귀",
     "배우 A씨가 {n}개월간의 칩거를 끝내고 {day} 새 드라마 촬영장에 모습을 드러냈다.",
     ()),
    ("감자칩 가격 {pct}% 인상",
     "제과업체들이 {month}부터 감자칩과 초코칩 쿠키 가격을 {pct}% 올린다.",
     ()),
    ("한국-네덜란드 축구 평가전",
     "한국 축구 대표팀이 {day} 네덜란드와 평가전을 치렀다. 양국 선수들은 경기 후 협력과 우정을 다짐했다.",
     ()),
    ("본사 이전 안내",
     "당사의 본사 소재지가 {day}부로 경기도 성남시로 변경되었음을 알려드립니다.",
     ()),
    ("삼성전자, 폴더블폰 사전판매 신기록",
     "삼성전자의 새 폴더블 스마트폰이 사전판매 {n}만 대를 기록했다.",
     ()),
    ("외교부 장관, 일본 방문",
     "외교부 장관은 {day} 일본을 방문해 한일 관계 개선 방안을 논의했다.",
     ()),
]

SLOTS: dict[str, list[str]] = {
    "memco": ["SK하이닉스", "삼성전자", "마이크론"],
    "hbm": ["HBM3E", "12단 HBM3E", "HBM4"],
    "krmin": ["안덕근", "이창양", "김정관"],
    "day": ["20일", "3일", "15일"],
    "month": ["3월", "6월", "10월"],
    "year": ["2024", "2025", "2026"],
    "kcity": ["광양", "포항", "세종"],
    "pct": ["12", "20", "7"],
    "n": ["40", "120", "15"],
}
