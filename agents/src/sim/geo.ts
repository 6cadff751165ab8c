/** A prefecture-level city (or XPCC division city) a simulated site can sit in. */
export interface City {
  nameZh: string
  /** Lowercase pinyin, used in site ids. */
  slug: string
  /** GB/T 2260 prefecture code; absent where the schema's pattern has none (XPCC cities are county-level 6590xx). */
  code?: string
}

/** A few real cities per provincial division, capital first. */
export const CITIES: Readonly<Record<string, readonly City[]>> = {
  '110000': [{ nameZh: '北京市', slug: 'beijing', code: '110100' }],
  '120000': [{ nameZh: '天津市', slug: 'tianjin', code: '120100' }],
  '130000': [
    { nameZh: '石家庄市', slug: 'shijiazhuang', code: '130100' },
    { nameZh: '唐山市', slug: 'tangshan', code: '130200' },
    { nameZh: '保定市', slug: 'baoding', code: '130600' },
    { nameZh: '张家口市', slug: 'zhangjiakou', code: '130700' },
    { nameZh: '廊坊市', slug: 'langfang', code: '131000' },
  ],
  '140000': [
    { nameZh: '太原市', slug: 'taiyuan', code: '140100' },
    { nameZh: '大同市', slug: 'datong', code: '140200' },
    { nameZh: '长治市', slug: 'changzhi', code: '140400' },
  ],
  '150000': [
    { nameZh: '呼和浩特市', slug: 'hohhot', code: '150100' },
    { nameZh: '包头市', slug: 'baotou', code: '150200' },
    { nameZh: '鄂尔多斯市', slug: 'ordos', code: '150600' },
    { nameZh: '乌兰察布市', slug: 'ulanqab', code: '150900' },
  ],
  '210000': [
    { nameZh: '沈阳市', slug: 'shenyang', code: '210100' },
    { nameZh: '大连市', slug: 'dalian', code: '210200' },
    { nameZh: '鞍山市', slug: 'anshan', code: '210300' },
  ],
  '220000': [
    { nameZh: '长春市', slug: 'changchun', code: '220100' },
    { nameZh: '吉林市', slug: 'jilin', code: '220200' },
  ],
  '230000': [
    { nameZh: '哈尔滨市', slug: 'harbin', code: '230100' },
    { nameZh: '齐齐哈尔市', slug: 'qiqihar', code: '230200' },
    { nameZh: '大庆市', slug: 'daqing', code: '230600' },
  ],
  '310000': [{ nameZh: '上海市', slug: 'shanghai', code: '310100' }],
  '320000': [
    { nameZh: '南京市', slug: 'nanjing', code: '320100' },
    { nameZh: '无锡市', slug: 'wuxi', code: '320200' },
    { nameZh: '苏州市', slug: 'suzhou', code: '320500' },
    { nameZh: '南通市', slug: 'nantong', code: '320600' },
  ],
  '330000': [
    { nameZh: '杭州市', slug: 'hangzhou', code: '330100' },
    { nameZh: '宁波市', slug: 'ningbo', code: '330200' },
    { nameZh: '温州市', slug: 'wenzhou', code: '330300' },
    { nameZh: '嘉兴市', slug: 'jiaxing', code: '330400' },
  ],
  '340000': [
    { nameZh: '合肥市', slug: 'hefei', code: '340100' },
    { nameZh: '芜湖市', slug: 'wuhu', code: '340200' },
    { nameZh: '蚌埠市', slug: 'bengbu', code: '340300' },
  ],
  '350000': [
    { nameZh: '福州市', slug: 'fuzhou', code: '350100' },
    { nameZh: '厦门市', slug: 'xiamen', code: '350200' },
    { nameZh: '泉州市', slug: 'quanzhou', code: '350500' },
  ],
  '360000': [
    { nameZh: '南昌市', slug: 'nanchang', code: '360100' },
    { nameZh: '赣州市', slug: 'ganzhou', code: '360700' },
  ],
  '370000': [
    { nameZh: '济南市', slug: 'jinan', code: '370100' },
    { nameZh: '青岛市', slug: 'qingdao', code: '370200' },
    { nameZh: '烟台市', slug: 'yantai', code: '370600' },
    { nameZh: '潍坊市', slug: 'weifang', code: '370700' },
  ],
  '410000': [
    { nameZh: '郑州市', slug: 'zhengzhou', code: '410100' },
    { nameZh: '洛阳市', slug: 'luoyang', code: '410300' },
    { nameZh: '南阳市', slug: 'nanyang', code: '411300' },
  ],
  '420000': [
    { nameZh: '武汉市', slug: 'wuhan', code: '420100' },
    { nameZh: '宜昌市', slug: 'yichang', code: '420500' },
    { nameZh: '襄阳市', slug: 'xiangyang', code: '420600' },
  ],
  '430000': [
    { nameZh: '长沙市', slug: 'changsha', code: '430100' },
    { nameZh: '株洲市', slug: 'zhuzhou', code: '430200' },
    { nameZh: '衡阳市', slug: 'hengyang', code: '430400' },
  ],
  '440000': [
    { nameZh: '广州市', slug: 'guangzhou', code: '440100' },
    { nameZh: '深圳市', slug: 'shenzhen', code: '440300' },
    { nameZh: '韶关市', slug: 'shaoguan', code: '440200' },
    { nameZh: '佛山市', slug: 'foshan', code: '440600' },
    { nameZh: '东莞市', slug: 'dongguan', code: '441900' },
  ],
  '450000': [
    { nameZh: '南宁市', slug: 'nanning', code: '450100' },
    { nameZh: '柳州市', slug: 'liuzhou', code: '450200' },
    { nameZh: '桂林市', slug: 'guilin', code: '450300' },
  ],
  '460000': [
    { nameZh: '海口市', slug: 'haikou', code: '460100' },
    { nameZh: '三亚市', slug: 'sanya', code: '460200' },
  ],
  '500000': [{ nameZh: '重庆市', slug: 'chongqing', code: '500100' }],
  '510000': [
    { nameZh: '成都市', slug: 'chengdu', code: '510100' },
    { nameZh: '绵阳市', slug: 'mianyang', code: '510700' },
    { nameZh: '宜宾市', slug: 'yibin', code: '511500' },
  ],
  '520000': [
    { nameZh: '贵阳市', slug: 'guiyang', code: '520100' },
    { nameZh: '遵义市', slug: 'zunyi', code: '520300' },
  ],
  '530000': [
    { nameZh: '昆明市', slug: 'kunming', code: '530100' },
    { nameZh: '曲靖市', slug: 'qujing', code: '530300' },
  ],
  '540000': [{ nameZh: '拉萨市', slug: 'lhasa', code: '540100' }],
  '610000': [
    { nameZh: '西安市', slug: 'xian', code: '610100' },
    { nameZh: '宝鸡市', slug: 'baoji', code: '610300' },
    { nameZh: '咸阳市', slug: 'xianyang', code: '610400' },
  ],
  '620000': [
    { nameZh: '兰州市', slug: 'lanzhou', code: '620100' },
    { nameZh: '天水市', slug: 'tianshui', code: '620500' },
    { nameZh: '庆阳市', slug: 'qingyang', code: '621000' },
  ],
  '630000': [
    { nameZh: '西宁市', slug: 'xining', code: '630100' },
    { nameZh: '海东市', slug: 'haidong', code: '630200' },
  ],
  '640000': [
    { nameZh: '银川市', slug: 'yinchuan', code: '640100' },
    { nameZh: '中卫市', slug: 'zhongwei', code: '640500' },
  ],
  '650000': [
    { nameZh: '乌鲁木齐市', slug: 'urumqi', code: '650100' },
    { nameZh: '克拉玛依市', slug: 'karamay', code: '650200' },
    { nameZh: '哈密市', slug: 'hami', code: '650500' },
  ],
  '660000': [
    { nameZh: '石河子市', slug: 'shihezi' },
    { nameZh: '五家渠市', slug: 'wujiaqu' },
    { nameZh: '阿拉尔市', slug: 'aral' },
  ],
}

/** Where each 东数西算 data-center cluster (hubs.csv `cluster_id`) physically sits. */
export const HUB_SITES: Readonly<Record<string, readonly { province: string; city: City; areaZh: string }[]>> = {
  zhangjiakou: [{ province: '130000', city: { nameZh: '张家口市', slug: 'zhangjiakou', code: '130700' }, areaZh: '怀来' }],
  yrd_demo_zone: [
    { province: '310000', city: { nameZh: '上海市', slug: 'shanghai', code: '310100' }, areaZh: '青浦' },
    { province: '320000', city: { nameZh: '苏州市', slug: 'suzhou', code: '320500' }, areaZh: '吴江' },
    { province: '330000', city: { nameZh: '嘉兴市', slug: 'jiaxing', code: '330400' }, areaZh: '嘉善' },
  ],
  wuhu: [{ province: '340000', city: { nameZh: '芜湖市', slug: 'wuhu', code: '340200' }, areaZh: '鸠江' }],
  shaoguan: [{ province: '440000', city: { nameZh: '韶关市', slug: 'shaoguan', code: '440200' }, areaZh: '韶关高新区' }],
  tianfu: [{ province: '510000', city: { nameZh: '成都市', slug: 'chengdu', code: '510100' }, areaZh: '天府' }],
  chongqing: [{ province: '500000', city: { nameZh: '重庆市', slug: 'chongqing', code: '500100' }, areaZh: '两江新区' }],
  horinger: [
    { province: '150000', city: { nameZh: '呼和浩特市', slug: 'hohhot', code: '150100' }, areaZh: '和林格尔' },
    { province: '150000', city: { nameZh: '乌兰察布市', slug: 'ulanqab', code: '150900' }, areaZh: '集宁' },
  ],
  guian: [{ province: '520000', city: { nameZh: '贵阳市', slug: 'guiyang', code: '520100' }, areaZh: '贵安新区' }],
  qingyang: [{ province: '620000', city: { nameZh: '庆阳市', slug: 'qingyang', code: '621000' }, areaZh: '西峰' }],
  zhongwei: [{ province: '640000', city: { nameZh: '中卫市', slug: 'zhongwei', code: '640500' }, areaZh: '西部云基地' }],
}

/** Ministry platforms (the "N" of 1+32+N) with the short code used in ids. */
export const MINISTRIES: readonly { code: string; nameZh: string }[] = [
  { code: 'mps', nameZh: '公安部' },
  { code: 'chinatax', nameZh: '国家税务总局' },
  { code: 'mohrss', nameZh: '人力资源社会保障部' },
  { code: 'nhsa', nameZh: '国家医疗保障局' },
  { code: 'customs', nameZh: '海关总署' },
  { code: 'mnr', nameZh: '自然资源部' },
  { code: 'mee', nameZh: '生态环境部' },
  { code: 'mot', nameZh: '交通运输部' },
  { code: 'mwr', nameZh: '水利部' },
  { code: 'stats', nameZh: '国家统计局' },
  { code: 'samr', nameZh: '国家市场监督管理总局' },
  { code: 'moe', nameZh: '教育部' },
]

/** Resident population, millions (7th census, 2020, rounded; XPCC about 3.3 of Xinjiang's 25.9). */
export const POPULATION_M: Readonly<Record<string, number>> = {
  '110000': 21.9,
  '120000': 13.9,
  '130000': 74.6,
  '140000': 34.9,
  '150000': 24.0,
  '210000': 42.6,
  '220000': 24.1,
  '230000': 31.9,
  '310000': 24.9,
  '320000': 84.7,
  '330000': 64.6,
  '340000': 61.0,
  '350000': 41.5,
  '360000': 45.2,
  '370000': 101.5,
  '410000': 99.4,
  '420000': 57.8,
  '430000': 66.4,
  '440000': 126.0,
  '450000': 50.1,
  '460000': 10.1,
  '500000': 32.1,
  '510000': 83.7,
  '520000': 38.6,
  '530000': 47.2,
  '540000': 3.6,
  '610000': 39.5,
  '620000': 25.0,
  '630000': 5.9,
  '640000': 7.2,
  '650000': 22.6,
  '660000': 3.3,
}

/** Eastern coastal divisions: richer provincial government clouds. */
export const EASTERN: ReadonlySet<string> = new Set([
  '110000',
  '120000',
  '130000',
  '210000',
  '310000',
  '320000',
  '330000',
  '350000',
  '370000',
  '440000',
  '460000',
])

/** Provinces with nuclear generation (shapes the simulated grid mix where the data has no full mix). */
export const NUCLEAR_PROVINCES: ReadonlySet<string> = new Set([
  '210000',
  '320000',
  '330000',
  '350000',
  '370000',
  '440000',
  '450000',
  '460000',
])

/** Hours the working day runs late against Beijing time (solar time in the far west). */
export const LOCAL_HOUR_SHIFT: Readonly<Record<string, number>> = {
  '650000': 2,
  '660000': 2,
  '540000': 1.5,
  '630000': 1,
  '620000': 0.5,
  '640000': 0.5,
}

/** Cooler climates run lower PUE at the same technology. */
export const COOL_CLIMATE: ReadonlySet<string> = new Set([
  '150000',
  '220000',
  '230000',
  '210000',
  '620000',
  '630000',
  '640000',
  '650000',
  '660000',
  '540000',
  '520000',
  '140000',
  '130000',
])
