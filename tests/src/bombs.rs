//! Upload bombs, made by code: small files that inflate or parse to gigabytes. The API
//! tests post each to the staff-list upload and the `bench uploads` scenario measures
//! the server's memory over the whole set.
//!
//! A gigabyte is never written: the deflate stream of a repeated chunk is the chunk's
//! compressed block repeated (each block is flushed to a byte boundary and refers only
//! to its own bytes), and the zip around it is written here, so that its declared sizes
//! can also lie.

use flate2::{Compress, Compression, FlushCompress};

/// One bomb and what the server must answer.
pub struct Bomb {
    /// What it is, for the report.
    pub name: &'static str,
    /// The file name it is posted under.
    pub file_name: &'static str,
    /// The file.
    pub bytes: Vec<u8>,
    /// The status the upload must get.
    pub status: u16,
    /// Text the answer's problem must contain (the limit it names).
    pub names: &'static str,
}

/// A stretch of a part: `times` copies of `chunk`.
struct Piece<'a> {
    chunk: &'a [u8],
    times: u64,
}

fn piece(chunk: &[u8], times: u64) -> Piece<'_> {
    Piece { chunk, times }
}

/// A part's deflate stream, CRC-32 and inflated size, from its pieces.
fn deflate(pieces: &[Piece<'_>]) -> (Vec<u8>, u32, u64) {
    let mut out = Vec::new();
    let mut crc = crc32fast::Hasher::new();
    let mut size = 0u64;
    for piece in pieces {
        // Deflate never grows data by more than a few bytes a block: room enough.
        let mut block = Vec::with_capacity(piece.chunk.len() + piece.chunk.len() / 64 + 1024);
        let mut compress = Compress::new(Compression::default(), false);
        compress
            .compress_vec(piece.chunk, &mut block, FlushCompress::Sync)
            .expect("deflate");
        assert_eq!(
            compress.total_in(),
            piece.chunk.len() as u64,
            "all compressed"
        );
        let mut once = crc32fast::Hasher::new();
        once.update(piece.chunk);
        for _ in 0..piece.times {
            out.extend_from_slice(&block);
            crc.combine(&once);
        }
        size += piece.chunk.len() as u64 * piece.times;
    }
    // The last block: empty, final, fixed Huffman codes.
    out.extend_from_slice(&[0x03, 0x00]);
    (out, crc.finalize(), size)
}

/// A part of an XLSX: its name, its content, and the size its headers declare (its real
/// size unless it lies).
struct Part<'a> {
    name: &'a str,
    pieces: Vec<Piece<'a>>,
    declared: Option<u64>,
}

fn part<'a>(name: &'a str, text: &'a str) -> Part<'a> {
    Part {
        name,
        pieces: vec![piece(text.as_bytes(), 1)],
        declared: None,
    }
}

/// A zip of deflated parts, written by hand (local headers, central directory, end).
fn zip(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for part in parts {
        let (data, crc, size) = deflate(&part.pieces);
        let declared = part.declared.unwrap_or(size);
        let declared = u32::try_from(declared).expect("under 4 GB");
        let compressed = u32::try_from(data.len()).expect("under 4 GB");
        let offset = u32::try_from(out.len()).expect("under 4 GB");
        let name = part.name.as_bytes();
        let name_len = u16::try_from(name.len()).expect("short name");
        let common = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&20u16.to_le_bytes()); // version needed
            buf.extend_from_slice(&0u16.to_le_bytes()); // flags
            buf.extend_from_slice(&8u16.to_le_bytes()); // deflate
            buf.extend_from_slice(&0u16.to_le_bytes()); // time
            buf.extend_from_slice(&0x21u16.to_le_bytes()); // 1980-01-01
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&compressed.to_le_bytes());
            buf.extend_from_slice(&declared.to_le_bytes());
            buf.extend_from_slice(&name_len.to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(&data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        common(&mut central);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let count = u16::try_from(parts.len()).expect("few parts");
    let central_at = u32::try_from(out.len()).expect("under 4 GB");
    let central_len = u32::try_from(central.len()).expect("small");
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const PACKAGE_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
/// The sheet's start, with the header row (shared strings 0 and 1) and one good row.
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v>100</v></c></row>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";
const STRINGS_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>姓名</t></si><si><t>金额(元)</t></si>"#;
const STRINGS_TAIL: &str = "</sst>";

/// An XLSX whose sheet and shared strings are made of pieces (between the heads and
/// tails above); `lie` makes that part declare a size of its own.
fn xlsx(sheet: Vec<Piece<'_>>, strings: Vec<Piece<'_>>, lie: Option<(&str, u64)>) -> Vec<u8> {
    let mut sheet_pieces = vec![piece(SHEET_HEAD.as_bytes(), 1)];
    sheet_pieces.extend(sheet);
    sheet_pieces.push(piece(SHEET_TAIL.as_bytes(), 1));
    let mut string_pieces = vec![piece(STRINGS_HEAD.as_bytes(), 1)];
    string_pieces.extend(strings);
    string_pieces.push(piece(STRINGS_TAIL.as_bytes(), 1));
    let declared = |name: &str| lie.filter(|(n, _)| *n == name).map(|(_, size)| size);
    zip(&[
        part("[Content_Types].xml", CONTENT_TYPES),
        part("_rels/.rels", PACKAGE_RELS),
        part("xl/workbook.xml", WORKBOOK),
        part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        Part {
            name: "xl/worksheets/sheet1.xml",
            pieces: sheet_pieces,
            declared: declared("sheet"),
        },
        Part {
            name: "xl/sharedStrings.xml",
            pieces: string_pieces,
            declared: declared("strings"),
        },
    ])
}

const MB: u64 = 1024 * 1024;

/// The set: each bomb, and the answer it must get.
pub fn all() -> Vec<Bomb> {
    let spaces = vec![b' '; MB as usize];
    let letters = vec![b'a'; MB as usize];
    let tiny_strings = "<si><t>a</t></si>".repeat(64 * 1024);
    let nested = "<a>".repeat(64 * 1024);
    let tiny_rows = "a,1\n".repeat(256 * 1024);
    let bombs = vec![
        Bomb {
            name: "XFD1048576 的一个单元格",
            file_name: "远.xlsx",
            bytes: xlsx(
                vec![piece(
                    br#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
                    1,
                )],
                vec![],
                None,
            ),
            status: 422,
            names: "XFD1048576",
        },
        Bomb {
            name: "工作表含 1 GB 空白",
            file_name: "空白.xlsx",
            bytes: xlsx(vec![piece(&spaces, 1024)], vec![], None),
            status: 422,
            names: "128 MB",
        },
        Bomb {
            name: "工作表含 100 MB 空白（声明的大小在上限内）",
            file_name: "空白2.xlsx",
            bytes: xlsx(vec![piece(&spaces, 100)], vec![], None),
            status: 422,
            names: "256 KB",
        },
        Bomb {
            name: "一条 1 GB 的共享文字",
            file_name: "长文字.xlsx",
            bytes: xlsx(
                vec![],
                vec![
                    piece(b"<si><t>", 1),
                    piece(&letters, 1024),
                    piece(b"</t></si>", 1),
                ],
                None,
            ),
            status: 422,
            names: "32 MB",
        },
        Bomb {
            name: "一条 30 MB 的共享文字",
            file_name: "长文字2.xlsx",
            bytes: xlsx(
                vec![],
                vec![
                    piece(b"<si><t>", 1),
                    piece(&letters, 30),
                    piece(b"</t></si>", 1),
                ],
                None,
            ),
            status: 422,
            names: "256 KB",
        },
        Bomb {
            name: "150 万条极短的共享文字",
            file_name: "碎文字.xlsx",
            bytes: xlsx(vec![], vec![piece(tiny_strings.as_bytes(), 23)], None),
            status: 422,
            names: "1000000 条",
        },
        Bomb {
            name: "声明 1 KB、实际解压 200 MB 的工作表",
            file_name: "谎报.xlsx",
            bytes: xlsx(vec![piece(&spaces, 200)], vec![], Some(("sheet", 1024))),
            status: 422,
            names: "声明",
        },
        Bomb {
            name: "6 万层嵌套的 XML",
            file_name: "嵌套.xlsx",
            bytes: xlsx(vec![piece(nested.as_bytes(), 1)], vec![], None),
            status: 422,
            names: "64 层",
        },
        Bomb {
            name: "一个 50 MB 的 XML 属性",
            file_name: "属性.xlsx",
            bytes: xlsx(
                vec![
                    piece(br#"<row r="3" x=""#, 1),
                    piece(&letters, 50),
                    piece(br#""></row>"#, 1),
                ],
                vec![],
                None,
            ),
            status: 422,
            names: "256 KB",
        },
        Bomb {
            name: "共享文字中的实体炸弹（DOCTYPE）",
            file_name: "实体.xlsx",
            bytes: {
                let strings = r#"<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><sst><si><t>&c;</t></si></sst>"#;
                zip(&[
                    part("[Content_Types].xml", CONTENT_TYPES),
                    part("_rels/.rels", PACKAGE_RELS),
                    part("xl/workbook.xml", WORKBOOK),
                    part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                    part(
                        "xl/worksheets/sheet1.xml",
                        r#"<worksheet><sheetData/></worksheet>"#,
                    ),
                    part("xl/sharedStrings.xml", strings),
                ])
            },
            status: 422,
            names: "<!",
        },
        Bomb {
            name: "31 MB 的 CSV，800 万个极短的行",
            file_name: "短行.csv",
            bytes: {
                let mut csv = b"\xE5\xA7\x93\xE5\x90\x8D,amount\n".to_vec();
                for _ in 0..31 {
                    csv.extend_from_slice(tiny_rows.as_bytes());
                }
                csv
            },
            status: 422,
            names: "200000 行",
        },
        Bomb {
            name: "一行 30 MB 的 CSV",
            file_name: "长行.csv",
            bytes: {
                let mut csv = "姓名,金额(元)\n张三,".as_bytes().to_vec();
                csv.resize(csv.len() + 30 * MB as usize, b'9');
                csv.push(b'\n');
                csv
            },
            status: 422,
            names: "1000 个字符",
        },
    ];
    bombs
}

/// A sheet within every limit that is slow to read: one good row, then 120 MB of empty
/// elements that hold no cell. Imported (201) when there is time; for the timeout test.
pub fn slow_but_allowed() -> Bomb {
    let empties = "<x/>".repeat(256 * 1024);
    Bomb {
        name: "一行名单后跟 120 MB 空元素（在各项上限内）",
        file_name: "慢.xlsx",
        bytes: xlsx(vec![piece(empties.as_bytes(), 120)], vec![], None),
        status: 201,
        names: "",
    }
}

/// A CSV of one 100 MB line: past the upload's body limit, answered 413 (the server may
/// also close the connection before the client has sent it all).
pub fn csv_line_of_100_mb() -> Bomb {
    let mut csv = "姓名,金额(元)\n张三,".as_bytes().to_vec();
    csv.resize(csv.len() + 100 * MB as usize, b'9');
    csv.push(b'\n');
    Bomb {
        name: "一行 100 MB 的 CSV（超过上传上限）",
        file_name: "超长行.csv",
        bytes: csv,
        status: 413,
        names: "",
    }
}
